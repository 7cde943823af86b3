<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Brigade</source>
        <translation>关于 Brigade</translation>
    </message>
    <message>
        <source>Version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <source>A desktop task manager for batch file jobs: checksums, compression, images, text and commands, on every core, with history that survives restarts.</source>
        <translation>面向批量文件作业的桌面任务管理器：校验和、压缩、图像、文本与命令，充分利用每个 CPU 核心，历史记录在重启后依然保留。</translation>
    </message>
    <message>
        <source>Python %1 · Qt %2 · PySide6 %3</source>
        <translation>Python %1 · Qt %2 · PySide6 %3</translation>
    </message>
    <message>
        <source>Released under the MIT licence.</source>
        <translation>以 MIT 许可证发布。</translation>
    </message>
    <message>
        <source>Licences…</source>
        <translation>许可证…</translation>
    </message>
</context>
<context>
    <name>Actions</name>
    <message>
        <source>Add &amp;files…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Add files to the next batch</source>
        <translation>将文件添加到下一批次</translation>
    </message>
    <message>
        <source>Add fol&amp;der…</source>
        <translation>添加文件夹(&amp;D)…</translation>
    </message>
    <message>
        <source>Add a folder to the next batch</source>
        <translation>将文件夹添加到下一批次</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>Run the job on the files</source>
        <translation>对这些文件运行作业</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Start no new task; running tasks finish</source>
        <translation>不再启动新任务；正在运行的任务会完成</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>Start tasks again</source>
        <translation>重新开始启动任务</translation>
    </message>
    <message>
        <source>&amp;Cancel selected</source>
        <translation>取消所选(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel the selected tasks</source>
        <translation>取消所选任务</translation>
    </message>
    <message>
        <source>Cancel &amp;all</source>
        <translation>全部取消(&amp;A)</translation>
    </message>
    <message>
        <source>Cancel every unfinished task</source>
        <translation>取消所有未完成的任务</translation>
    </message>
    <message>
        <source>Re&amp;try failed</source>
        <translation>重试失败任务(&amp;T)</translation>
    </message>
    <message>
        <source>Run every failed task again</source>
        <translation>重新运行所有失败的任务</translation>
    </message>
    <message>
        <source>C&amp;lear finished</source>
        <translation>清除已完成(&amp;L)</translation>
    </message>
    <message>
        <source>Remove finished batches from the table</source>
        <translation>从表格中移除已完成的批次</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <source>Workers, timeouts, theme, language</source>
        <translation>工作进程、超时、主题、语言</translation>
    </message>
    <message>
        <source>&amp;About Brigade</source>
        <translation>关于 Brigade(&amp;A)</translation>
    </message>
    <message>
        <source>Version and licence</source>
        <translation>版本与许可证</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>Open Brigade&apos;s guide</source>
        <translation>打开 Brigade 的指南</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Close Brigade</source>
        <translation>关闭 Brigade</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Re&amp;move selected</source>
        <translation>移除所选(&amp;M)</translation>
    </message>
    <message>
        <source>Take the selected queued tasks out of the queue; running ones keep running</source>
        <translation>将所选排队任务移出队列；正在运行的任务继续运行</translation>
    </message>
    <message>
        <source>Move batch &amp;up</source>
        <translation>批次上移(&amp;U)</translation>
    </message>
    <message>
        <source>Run the selected batch&apos;s queued tasks before those of the batch above it</source>
        <translation>让所选批次的排队任务先于其上方批次的任务运行</translation>
    </message>
    <message>
        <source>Move batch do&amp;wn</source>
        <translation>批次下移(&amp;W)</translation>
    </message>
    <message>
        <source>Run the selected batch&apos;s queued tasks after those of the batch below it</source>
        <translation>让所选批次的排队任务在其下方批次的任务之后运行</translation>
    </message>
</context>
<context>
    <name>BatchCommands</name>
    <message>
        <source>the cluster is not connected yet</source>
        <translation>尚未连接到集群</translation>
    </message>
    <message>
        <source>Nothing will run: %1</source>
        <translation>不会运行任何任务：%1</translation>
    </message>
    <message>
        <source>Cannot pause: no engine runs batches</source>
        <translation>无法暂停：没有可运行批次的引擎</translation>
    </message>
    <message>
        <source>Cannot resume: no engine runs batches</source>
        <translation>无法继续：没有可运行批次的引擎</translation>
    </message>
    <message>
        <source>Cannot retry batch %1: %2</source>
        <translation>无法重试批次 %1：%2</translation>
    </message>
    <message>
        <source>Batch %1 has nothing to retry</source>
        <translation>批次 %1 没有可重试的任务</translation>
    </message>
    <message>
        <source>Cleared %1 finished task</source>
        <translation>已清除 %1 个已结束的任务</translation>
    </message>
    <message>
        <source>Cleared %1 finished tasks</source>
        <translation>已清除 %1 个已结束的任务</translation>
    </message>
    <message>
        <source>Batch %1 is already running</source>
        <translation>批次 %1 已在运行</translation>
    </message>
    <message>
        <source>Cannot resume batch %1: history is disabled</source>
        <translation>无法继续批次 %1：历史记录已停用</translation>
    </message>
    <message>
        <source>Cannot resume batch %1: %2</source>
        <translation>无法继续批次 %1：%2</translation>
    </message>
    <message>
        <source>Batch %1 has nothing left to run</source>
        <translation>批次 %1 没有剩余的任务</translation>
    </message>
    <message>
        <source>Resuming batch %1</source>
        <translation>正在继续批次 %1</translation>
    </message>
    <message>
        <source>Cannot open batch %1: %2</source>
        <translation>无法打开批次 %1：%2</translation>
    </message>
    <message>
        <source>Nothing removed: only queued tasks can be taken out of the queue</source>
        <translation>未移除任何任务：只有排队中的任务可以移出队列</translation>
    </message>
    <message>
        <source>Removed %1 queued task</source>
        <translation>已移除 %1 个排队任务</translation>
    </message>
    <message>
        <source>Removed %1 queued tasks</source>
        <translation>已移除 %1 个排队任务</translation>
    </message>
    <message>
        <source>%1 running task keeps running (Cancel stops it)</source>
        <translation>%1 个正在运行的任务继续运行（取消可停止它）</translation>
    </message>
    <message>
        <source>%1 running tasks keep running (Cancel stops them)</source>
        <translation>%1 个正在运行的任务继续运行（取消可停止它们）</translation>
    </message>
    <message>
        <source>Select a task of the batch to move</source>
        <translation>请选择要移动的批次中的一个任务</translation>
    </message>
    <message>
        <source>Batch %1 has no queued tasks to move</source>
        <translation>批次 %1 没有可移动的排队任务</translation>
    </message>
</context>
<context>
    <name>ClusterPage</name>
    <message>
        <source>Empty: this computer. tls://host:8786, or local:4</source>
        <translation>留空：本机。tls://主机:8786，或 local:4</translation>
    </message>
    <message>
        <source>Allow unencrypted tcp:// to other computers</source>
        <translation>允许以未加密的 tcp:// 连接其他计算机</translation>
    </message>
    <message>
        <source>Anyone who can reach the scheduler could run code on the workers and read paths and results. Use only on a network you trust.</source>
        <translation>任何能访问调度器的人都可以在工作节点上运行代码，并读取路径和结果。仅在可信网络中使用。</translation>
    </message>
    <message>
        <source>One per line: D:\data=/mnt/data</source>
        <translation>每行一个：D:\data=/mnt/data</translation>
    </message>
    <message>
        <source>When the workers see a shared folder under another name: this computer&apos;s folder, &apos;=&apos;, the workers&apos; name for it.</source>
        <translation>当工作节点以其他名称访问共享文件夹时：本机的文件夹、“=”、工作节点上的名称。</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>New cluster settings apply at once if no batch has run yet or the current cluster could not be used; otherwise when Brigade starts again.</source>
        <translation>若尚未运行任何批次，或当前集群无法使用，新的集群设置立即生效；否则在 Brigade 下次启动时生效。</translation>
    </message>
    <message>
        <source>Scheduler address:</source>
        <translation>调度器地址：</translation>
    </message>
    <message>
        <source>CA certificate:</source>
        <translation>CA 证书：</translation>
    </message>
    <message>
        <source>Client certificate:</source>
        <translation>客户端证书：</translation>
    </message>
    <message>
        <source>Client key:</source>
        <translation>客户端密钥：</translation>
    </message>
    <message>
        <source>Path map:</source>
        <translation>路径映射：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose a PEM file</source>
        <translation>选择 PEM 文件</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.key);;All (*)</source>
        <translation>PEM 文件 (*.pem *.crt *.key);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Each line is this computer&apos;s folder, &apos;=&apos;, and the workers&apos; name for it.</source>
        <translation>每行为本机的文件夹、“=”以及工作节点上的名称。</translation>
    </message>
    <message>
        <source>Use the form tls://host:8786, tcp://host:8786 or local:4 (1 to 256 workers).</source>
        <translation>请使用 tls://主机:8786、tcp://主机:8786 或 local:4（1 到 256 个工作节点）的形式。</translation>
    </message>
    <message>
        <source>Unsupported scheme %1://: use tls://, or tcp:// on this computer.</source>
        <translation>不支持的协议 %1://：请使用 tls://，或在本机使用 tcp://。</translation>
    </message>
    <message>
        <source>Use the form tcp://host:8786 or host:8786.</source>
        <translation>请使用 tcp://主机:8786 或 主机:8786 的形式。</translation>
    </message>
    <message>
        <source>No address: batches run on this computer.</source>
        <translation>未填写地址：批次在本机运行。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>, %1 GiB</source>
        <translation>，%1 GiB</translation>
    </message>
    <message>
        <source>, Brigade missing</source>
        <translation>，未安装 Brigade</translation>
    </message>
    <message>
        <source>, Brigade %1</source>
        <translation>，Brigade %1</translation>
    </message>
    <message>
        <source>%1 core</source>
        <translation>%1 个核心</translation>
    </message>
    <message>
        <source>%1 cores</source>
        <translation>%1 个核心</translation>
    </message>
    <message>
        <source>Connected: %1</source>
        <translation>已连接：%1</translation>
    </message>
</context>
<context>
    <name>CountdownDialog</name>
    <message>
        <source>All batches are done</source>
        <translation>所有批次已完成</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Quit now</source>
        <translation>立即退出</translation>
    </message>
    <message>
        <source>Sleep now</source>
        <translation>立即睡眠</translation>
    </message>
    <message>
        <source>Shut down now</source>
        <translation>立即关机</translation>
    </message>
    <message>
        <source>Brigade will quit in %1 second.</source>
        <translation>Brigade 将在 %1 秒后退出。</translation>
    </message>
    <message>
        <source>Brigade will quit in %1 seconds.</source>
        <translation>Brigade 将在 %1 秒后退出。</translation>
    </message>
    <message>
        <source>The computer will sleep in %1 second.</source>
        <translation>计算机将在 %1 秒后进入睡眠。</translation>
    </message>
    <message>
        <source>The computer will sleep in %1 seconds.</source>
        <translation>计算机将在 %1 秒后进入睡眠。</translation>
    </message>
    <message>
        <source>The computer will shut down in %1 second.</source>
        <translation>计算机将在 %1 秒后关机。</translation>
    </message>
    <message>
        <source>The computer will shut down in %1 seconds.</source>
        <translation>计算机将在 %1 秒后关机。</translation>
    </message>
</context>
<context>
    <name>DoneActions</name>
    <message>
        <source>When &amp;done</source>
        <translation>完成后(&amp;D)</translation>
    </message>
    <message>
        <source>Play a &amp;sound when a batch ends</source>
        <translation>批次结束时播放提示音(&amp;S)</translation>
    </message>
    <message>
        <source>Play a sound when a batch ends (unavailable)</source>
        <translation>批次结束时播放提示音（不可用）</translation>
    </message>
    <message>
        <source>The sound could not be played: %1</source>
        <translation>无法播放提示音：%1</translation>
    </message>
    <message>
        <source>A new batch is running: Brigade stays as it is</source>
        <translation>有新批次正在运行：Brigade 保持不变</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>The computer could not sleep or shut down: %1</source>
        <translation>计算机无法睡眠或关机：%1</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <source>Drop files or folders here</source>
        <translation>将文件或文件夹拖放到此处</translation>
    </message>
</context>
<context>
    <name>Guide</name>
    <message>
        <source>The guide is not installed with this copy of Brigade</source>
        <translation>此 Brigade 副本未安装指南</translation>
    </message>
</context>
<context>
    <name>HistoryBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭提示</translation>
    </message>
    <message>
        <source>History is not saved completely: %1</source>
        <translation>历史记录未能完整保存：%1</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务数</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Result or reason</source>
        <translation>结果或原因</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the history again</source>
        <translation>重新读取历史记录</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show this batch&apos;s tasks in the tasks table</source>
        <translation>在任务表中显示此批次的任务</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Run the tasks this batch did not finish</source>
        <translation>运行此批次未完成的任务</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export JSON…</source>
        <translation>导出 JSON…</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>所有状态</translation>
    </message>
    <message>
        <source>History is not available: %1</source>
        <translation>历史记录不可用：%1</translation>
    </message>
    <message>
        <source>No batches yet. Batches you run appear here.</source>
        <translation>还没有批次。运行过的批次会显示在这里。</translation>
    </message>
    <message>
        <source>Select a batch to see its tasks.</source>
        <translation>选择一个批次以查看其任务。</translation>
    </message>
    <message>
        <source>Batch %1 · %2 · %3 tasks</source>
        <translation>批次 %1 · %2 · %3 个任务</translation>
    </message>
    <message>
        <source>Select a task to see its log.</source>
        <translation>选择一个任务以查看其日志。</translation>
    </message>
    <message>
        <source>Log of %1</source>
        <translation>%1 的日志</translation>
    </message>
    <message>
        <source>(no log lines)</source>
        <translation>（没有日志行）</translation>
    </message>
    <message>
        <source>— attempt %1 —</source>
        <translation>— 第 %1 次尝试 —</translation>
    </message>
    <message>
        <source>%1 more lines were not kept.</source>
        <translation>另有 %1 行未保留。</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Export batch %1</source>
        <translation>导出批次 %1</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Exported %1 tasks to %2</source>
        <translation>已将 %1 个任务导出到 %2</translation>
    </message>
</context>
<context>
    <name>JobSetup</name>
    <message>
        <source>Drop files or folders here</source>
        <translation>将文件或文件夹拖到这里</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Include</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>e.g. *.jpg; *.png</source>
        <translation>例如 *.jpg; *.png</translation>
    </message>
    <message>
        <source>Exclude</source>
        <translation>排除</translation>
    </message>
    <message>
        <source>e.g. *.tmp; .git</source>
        <translation>例如 *.tmp; .git</translation>
    </message>
    <message>
        <source>Sub-folders</source>
        <translation>子文件夹</translation>
    </message>
    <message>
        <source>Hidden files</source>
        <translation>隐藏文件</translation>
    </message>
    <message>
        <source>Earlier outputs</source>
        <translation>以前的输出</translation>
    </message>
    <message>
        <source>Also walk Brigade&apos;s own output folders (brigade-…) found inside the dropped folders</source>
        <translation>同时遍历拖入文件夹中 Brigade 自己的输出文件夹（brigade-…）</translation>
    </message>
    <message>
        <source>Include:</source>
        <translation>包含：</translation>
    </message>
    <message>
        <source>Exclude:</source>
        <translation>排除：</translation>
    </message>
    <message>
        <source>No files yet.</source>
        <translation>还没有文件。</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Preview (dry run)…</source>
        <translation>预览（试运行）…</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>%1 (failed to load)</source>
        <translation>%1（加载失败）</translation>
    </message>
    <message>
        <source>The job of preset %1 is not available: %2</source>
        <translation>预设 %1 的作业不可用：%2</translation>
    </message>
    <message>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <source>Add folder</source>
        <translation>添加文件夹</translation>
    </message>
    <message>
        <source>Looking for files…</source>
        <translation>正在查找文件…</translation>
    </message>
    <message>
        <source>%1 file</source>
        <translation>%1 个文件</translation>
    </message>
    <message>
        <source>%1 files</source>
        <translation>%1 个文件</translation>
    </message>
    <message numerus="yes">
        <source>%n skipped</source>
        <translation>
            <numerusform>已跳过 %n 个</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hidden left out</source>
        <translation>
            <numerusform>已略过 %n 个隐藏项</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 earlier output folder left out</source>
        <translation>已略过 %1 个以前的输出文件夹</translation>
    </message>
    <message>
        <source>%1 earlier output folders left out</source>
        <translation>已略过 %1 个以前的输出文件夹</translation>
    </message>
    <message>
        <source>%1: earlier outputs</source>
        <translation>%1：以前的输出</translation>
    </message>
    <message>
        <source>Two tasks would write the same file:</source>
        <translation>有两个任务会写入同一个文件：</translation>
    </message>
    <message>
        <source>The parameters could not be remembered: %1</source>
        <translation>无法记住这些参数：%1</translation>
    </message>
</context>
<context>
    <name>LicencesDialog</name>
    <message>
        <source>Third-party licences</source>
        <translation>第三方许可证</translation>
    </message>
    <message>
        <source>Brigade is released under the MIT licence. It ships these components, each under its own licence. Qt is used under the LGPLv3: its entry says how to replace the Qt libraries.</source>
        <translation>Brigade 以 MIT 许可证发布。它附带以下组件，各自遵循自己的许可证。Qt 依 LGPLv3 使用：其条目说明了如何替换 Qt 库。</translation>
    </message>
    <message>
        <source>The licence notices are missing from this installation.</source>
        <translation>此安装中缺少许可证声明。</translation>
    </message>
    <message>
        <source>Licence: %1</source>
        <translation>许可证：%1</translation>
    </message>
    <message>
        <source>(no licence text was shipped with this component)</source>
        <translation>（此组件未附带许可证文本）</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message>
        <source>Log shown</source>
        <translation>显示的日志</translation>
    </message>
    <message>
        <source>Selected task</source>
        <translation>所选任务</translation>
    </message>
    <message>
        <source>All tasks</source>
        <translation>所有任务</translation>
    </message>
    <message>
        <source>No task selected</source>
        <translation>未选择任务</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>跟随</translation>
    </message>
    <message>
        <source>Show new lines as they arrive; untick to pause the view</source>
        <translation>新日志行到达时立即显示；取消勾选可暂停视图</translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation>搜索日志</translation>
    </message>
    <message>
        <source>Search log…</source>
        <translation>搜索日志…</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Task %1</source>
        <translation>任务 %1</translation>
    </message>
    <message>
        <source>⋯ %1 more lines</source>
        <translation>⋯ 另有 %1 行</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>History disabled: %1</source>
        <translation>历史记录已停用：%1</translation>
    </message>
    <message>
        <source>Job setup</source>
        <translation>作业设置</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>监视器</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Presets unavailable: %1</source>
        <translation>预设不可用：%1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Dask: %1</source>
        <translation>Dask：%1</translation>
    </message>
    <message>
        <source>Batches run on the Dask cluster at %1</source>
        <translation>批次在位于 %1 的 Dask 集群上运行</translation>
    </message>
    <message>
        <source>Connecting to the Dask cluster at %1…</source>
        <translation>正在连接位于 %1 的 Dask 集群…</translation>
    </message>
    <message>
        <source>Connected: batches run on the Dask cluster at %1</source>
        <translation>已连接：批次在位于 %1 的 Dask 集群上运行</translation>
    </message>
    <message>
        <source>Cluster unavailable</source>
        <translation>集群不可用</translation>
    </message>
    <message>
        <source>Nothing will run: %1. Change the address in Settings → Cluster.</source>
        <translation>不会运行任何任务：%1。请在“设置 → 集群”中更改地址。</translation>
    </message>
    <message>
        <source>Monitor unavailable: %1</source>
        <translation>监视器不可用：%1</translation>
    </message>
    <message>
        <source>Batches run on the Dask cluster at %1. The worker graphs show only workers on this computer; the others are remote.</source>
        <translation>批次在位于 %1 的 Dask 集群上运行。工作进程图表只显示本机上的工作节点，其余为远程节点。</translation>
    </message>
    <message>
        <source>History unavailable: %1</source>
        <translation>历史记录不可用：%1</translation>
    </message>
    <message>
        <source>%1 done, %2 failed, %3 cancelled, %4 skipped in %5 s</source>
        <translation>%1 个完成，%2 个失败，%3 个已取消，%4 个已跳过，用时 %5 秒</translation>
    </message>
    <message>
        <source>%1 done, %2 failed, %3 cancelled in %4 s</source>
        <translation>%1 个完成，%2 个失败，%3 个已取消，用时 %4 秒</translation>
    </message>
    <message>
        <source>Batch %1 finished</source>
        <translation>批次 %1 已完成</translation>
    </message>
    <message>
        <source>%1 more line was counted but not kept</source>
        <translation>另有 %1 行已计数但未保留</translation>
    </message>
    <message>
        <source>%1 more lines were counted but not kept</source>
        <translation>另有 %1 行已计数但未保留</translation>
    </message>
    <message>
        <source>Batch %1:</source>
        <translation>批次 %1：</translation>
    </message>
    <message>
        <source>%1 running batches:</source>
        <translation>%1 个运行中的批次：</translation>
    </message>
    <message>
        <source>The new language applies fully after a restart</source>
        <translation>新语言将在重启后完全生效</translation>
    </message>
    <message>
        <source>The new cluster settings apply when Brigade starts again</source>
        <translation>新的集群设置将在 Brigade 重新启动后生效</translation>
    </message>
    <message>
        <source>Tasks are still running</source>
        <translation>仍有任务在运行</translation>
    </message>
    <message>
        <source>%1 task has not finished yet.</source>
        <translation>%1 个任务尚未完成。</translation>
    </message>
    <message>
        <source>%1 tasks have not finished yet.</source>
        <translation>%1 个任务尚未完成。</translation>
    </message>
    <message>
        <source>Finish: keep running and close when done.</source>
        <translation>完成：继续运行，完成后关闭。</translation>
    </message>
    <message>
        <source>Pause for later: running tasks finish, the rest stay queued in the history for a resume.</source>
        <translation>稍后继续：正在运行的任务完成，其余任务保留在历史记录的队列中以便恢复。</translation>
    </message>
    <message>
        <source>Cancel tasks: stop them now.</source>
        <translation>取消任务：立即停止。</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成后关闭</translation>
    </message>
    <message>
        <source>Pause for later</source>
        <translation>暂停以后继续</translation>
    </message>
    <message>
        <source>Cancel tasks</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>Don&apos;t close</source>
        <translation>不关闭</translation>
    </message>
    <message>
        <source>Brigade will close when every task has finished</source>
        <translation>所有任务完成后 Brigade 将关闭</translation>
    </message>
    <message>
        <source>Stopping: waiting for running tasks to end…</source>
        <translation>正在停止：等待运行中的任务结束…</translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation>未知原因</translation>
    </message>
    <message>
        <source>The engine stopped: %1</source>
        <translation>引擎已停止：%1</translation>
    </message>
    <message>
        <source>Watch</source>
        <translation>监视</translation>
    </message>
    <message>
        <source>Watch folders need the engine and the history: %1</source>
        <translation>监视文件夹需要引擎和历史记录：%1</translation>
    </message>
</context>
<context>
    <name>MonitorPanel</name>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <source>Files per second</source>
        <translation>每秒文件数</translation>
    </message>
    <message>
        <source>MB per second</source>
        <translation>每秒 MB</translation>
    </message>
    <message>
        <source>CPU per core and total (%)</source>
        <translation>各核心及总体 CPU (%)</translation>
    </message>
    <message>
        <source>Memory in use (GiB)</source>
        <translation>已用内存 (GiB)</translation>
    </message>
    <message>
        <source>CPU per worker (%)</source>
        <translation>各工作进程 CPU (%)</translation>
    </message>
    <message>
        <source>Memory per worker (MiB)</source>
        <translation>各工作进程内存 (MiB)</translation>
    </message>
    <message>
        <source>x axis: seconds ago</source>
        <translation>横轴：多少秒之前</translation>
    </message>
    <message>
        <source>total</source>
        <translation>总计</translation>
    </message>
    <message>
        <source>each core</source>
        <translation>每个核心</translation>
    </message>
</context>
<context>
    <name>OutputForm</name>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Beside each input, in a subfolder</source>
        <translation>在每个输入文件旁的子文件夹中</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Fields: {stem} {ext} {name} {job} {n} {parent}; e.g. {stem}-{n:04d}{ext}</source>
        <translation>字段：{stem} {ext} {name} {job} {n} {parent}；例如 {stem}-{n:04d}{ext}</translation>
    </message>
    <message>
        <source>Skip the task</source>
        <translation>跳过该任务</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>覆盖</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>两者都保留</translation>
    </message>
    <message>
        <source>Mirror the input folders</source>
        <translation>按输入的文件夹结构输出</translation>
    </message>
    <message>
        <source>Replace the input files (in place)</source>
        <translation>替换输入文件（原地修改）</translation>
    </message>
    <message>
        <source>Keep a backup of each original</source>
        <translation>为每个原始文件保留备份</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <source>Subfolder:</source>
        <translation>子文件夹：</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>If it exists:</source>
        <translation>如果已存在：</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
</context>
<context>
    <name>ParamsForm</name>
    <message>
        <source>%1:</source>
        <translation>%1：</translation>
    </message>
    <message>
        <source>This job has no options.</source>
        <translation>此作业没有选项。</translation>
    </message>
</context>
<context>
    <name>PresetsBar</name>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Save preset…</source>
        <translation>保存预设…</translation>
    </message>
    <message>
        <source>Presets</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>More preset actions</source>
        <translation>更多预设操作</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>No preset</source>
        <translation>无预设</translation>
    </message>
    <message>
        <source>Presets are unavailable: the presets file could not be read</source>
        <translation>预设不可用：无法读取预设文件</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Preset not saved: %1</source>
        <translation>预设未保存：%1</translation>
    </message>
    <message>
        <source>Rename preset</source>
        <translation>重命名预设</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Preset not renamed: %1</source>
        <translation>预设未重命名：%1</translation>
    </message>
    <message>
        <source>Preset not deleted: %1</source>
        <translation>预设未删除：%1</translation>
    </message>
    <message>
        <source>Export presets</source>
        <translation>导出预设</translation>
    </message>
    <message>
        <source>Presets (*.json)</source>
        <translation>预设 (*.json)</translation>
    </message>
    <message>
        <source>Presets not exported: %1</source>
        <translation>预设未导出：%1</translation>
    </message>
    <message>
        <source>Import presets</source>
        <translation>导入预设</translation>
    </message>
    <message>
        <source>Presets not imported: %1</source>
        <translation>预设未导入：%1</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <source>Dry run</source>
        <translation>试运行</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation>
            <numerusform>…… 另外还有 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 task of job &apos;%2&apos;; nothing is run or written.</source>
        <translation>作业“%2”的 %1 个任务；不会运行或写入任何内容。</translation>
    </message>
    <message>
        <source>%1 tasks of job &apos;%2&apos;; nothing is run or written.</source>
        <translation>作业“%2”的 %1 个任务；不会运行或写入任何内容。</translation>
    </message>
    <message>
        <source>Collisions:</source>
        <translation>冲突：</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Do nothing</source>
        <translation>不执行任何操作</translation>
    </message>
    <message>
        <source>Quit Brigade</source>
        <translation>退出 Brigade</translation>
    </message>
    <message>
        <source>Sleep</source>
        <translation>睡眠</translation>
    </message>
    <message>
        <source>Shut down</source>
        <translation>关机</translation>
    </message>
    <message>
        <source>Not available on this computer</source>
        <translation>此计算机上不可用</translation>
    </message>
    <message>
        <source>No sound player found (install canberra-gtk-play, or paplay and a sound theme)</source>
        <translation>未找到声音播放程序（请安装 canberra-gtk-play，或 paplay 与声音主题）</translation>
    </message>
    <message>
        <source>Enter a number of seconds, or leave empty for no limit.</source>
        <translation>请输入秒数；留空表示不限制。</translation>
    </message>
    <message>
        <source>The timeout must be more than 0 seconds.</source>
        <translation>超时必须大于 0 秒。</translation>
    </message>
    <message>
        <source>Enter a whole number from %1 to %2.</source>
        <translation>请输入 %1 到 %2 之间的整数。</translation>
    </message>
    <message>
        <source>Default location</source>
        <translation>默认位置</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Workers and tasks</source>
        <translation>工作进程与任务</translation>
    </message>
    <message>
        <source>Worker processes that run tasks at the same time.</source>
        <translation>同时运行任务的工作进程数。</translation>
    </message>
    <message>
        <source>Workers:</source>
        <translation>工作进程：</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>不限制</translation>
    </message>
    <message>
        <source>Seconds one task may run before it is stopped and failed.</source>
        <translation>单个任务在被停止并判为失败前可运行的秒数。</translation>
    </message>
    <message>
        <source>Timeout per task (s):</source>
        <translation>每个任务的超时（秒）：</translation>
    </message>
    <message>
        <source>How many times a task that failed is run again.</source>
        <translation>失败的任务重新运行的次数。</translation>
    </message>
    <message>
        <source>Retries:</source>
        <translation>重试次数：</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Replace a worker process after it ran this many tasks.</source>
        <translation>工作进程运行这么多任务后将被替换。</translation>
    </message>
    <message>
        <source>Recycle workers after (tasks):</source>
        <translation>工作进程回收间隔（任务数）：</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Information</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Everything (debug)</source>
        <translation>全部（调试）</translation>
    </message>
    <message>
        <source>Which lines other libraries (Pillow...) add to a task&apos;s log.</source>
        <translation>其他库（如 Pillow）向任务日志添加哪些行。</translation>
    </message>
    <message>
        <source>Library log lines:</source>
        <translation>库日志行：</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>When all batches are done:</source>
        <translation>所有批次完成后：</translation>
    </message>
    <message>
        <source>Play a sound when a batch ends</source>
        <translation>批次结束时播放提示音</translation>
    </message>
    <message>
        <source>Play a sound when a batch ends (unavailable)</source>
        <translation>批次结束时播放提示音（不可用）</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>数据库：</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>History database</source>
        <translation>历史数据库</translation>
    </message>
    <message>
        <source>SQLite databases (*.sqlite3 *.sqlite *.db);;All files (*)</source>
        <translation>SQLite 数据库 (*.sqlite3 *.sqlite *.db);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>StatusWidgets</name>
    <message>
        <source>%1 batches</source>
        <translation>%1 个批次</translation>
    </message>
    <message>
        <source>No tasks</source>
        <translation>没有任务</translation>
    </message>
    <message>
        <source>%1 files/s, %2/s</source>
        <translation>%1 个文件/秒，%2/秒</translation>
    </message>
    <message>
        <source>elapsed %1</source>
        <translation>已用时 %1</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>预计剩余 %1</translation>
    </message>
</context>
<context>
    <name>TaskFilterBar</name>
    <message>
        <source>All states</source>
        <translation>所有状态</translation>
    </message>
    <message>
        <source>Active (queued or running)</source>
        <translation>活动（排队或运行中）</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>Batch shown</source>
        <translation>显示的批次</translation>
    </message>
    <message>
        <source>All batches</source>
        <translation>所有批次</translation>
    </message>
    <message>
        <source>Filter by file name or result…</source>
        <translation>按文件名或结果筛选…</translation>
    </message>
    <message>
        <source>States shown</source>
        <translation>显示的状态</translation>
    </message>
    <message>
        <source>Text filter</source>
        <translation>文本筛选</translation>
    </message>
    <message>
        <source>Batch %1</source>
        <translation>批次 %1</translation>
    </message>
</context>
<context>
    <name>TasksModel</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
</context>
<context>
    <name>TasksView</name>
    <message>
        <source>Copy path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <source>Copy result</source>
        <translation>复制结果</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Drop files or folders here, or press %1 to add files</source>
        <translation>将文件或文件夹拖到这里，或按 %1 添加文件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Open output</source>
        <translation>打开输出</translation>
    </message>
    <message>
        <source>Open output folder</source>
        <translation>打开输出文件夹</translation>
    </message>
    <message>
        <source>Show in file manager</source>
        <translation>在文件管理器中显示</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>显示日志</translation>
    </message>
    <message>
        <source>No file to show</source>
        <translation>没有可显示的文件</translation>
    </message>
    <message>
        <source>%1 no longer exists</source>
        <translation>%1 已不存在</translation>
    </message>
    <message>
        <source>Could not show %1 in the file manager: %2</source>
        <translation>无法在文件管理器中显示 %1：%2</translation>
    </message>
    <message>
        <source>No application could open %1</source>
        <translation>没有应用程序能打开 %1</translation>
    </message>
    <message>
        <source>Remove from queue</source>
        <translation>移出队列</translation>
    </message>
</context>
<context>
    <name>WatchPanel</name>
    <message>
        <source>Watch a folder…</source>
        <translation>监视文件夹…</translation>
    </message>
    <message>
        <source>Run the job chosen in Job setup on each file landing in a folder</source>
        <translation>对进入文件夹的每个文件运行“作业设置”中选定的作业</translation>
    </message>
    <message>
        <source>Add rule file…</source>
        <translation>添加规则文件…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Watch rules</source>
        <translation>监视规则</translation>
    </message>
    <message>
        <source>Files the rules took lately</source>
        <translation>规则最近处理的文件</translation>
    </message>
    <message>
        <source>Watch a folder</source>
        <translation>监视文件夹</translation>
    </message>
    <message>
        <source>Add watch rules</source>
        <translation>添加监视规则</translation>
    </message>
    <message>
        <source>Rule files (*.toml *.json)</source>
        <translation>规则文件 (*.toml *.json)</translation>
    </message>
    <message>
        <source>A rule named %1 is already watched</source>
        <translation>名为 %1 的规则已在监视中</translation>
    </message>
    <message>
        <source>Rule %1 deletes every input of %2 once its task is done. Watch it?</source>
        <translation>规则 %1 会在任务完成后删除 %2 的每个输入文件。要监视它吗？</translation>
    </message>
    <message>
        <source>Delete processed files?</source>
        <translation>删除已处理的文件？</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
</context>
<context>
    <name>duration</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
</context>
<context>
    <name>jobs</name>
    <message>
        <source>Checksum</source>
        <translation>校验和</translation>
    </message>
    <message>
        <source>Compute a digest (SHA-256 by default) of each file. With manifest=sidecar, also write 'NAME.sha256' (readable by 'sha256sum -c', 'md5sum -c', 'b2sum -c', 'xxhsum -c', ...); with manifest=folder, list each file in one 'SHA256SUMS' (B2SUMS, MD5SUMS, ...) in its own folder.</source>
        <translation>计算每个文件的摘要（默认 SHA-256）。清单设为 sidecar 时，还会写入 'NAME.sha256'（可由 'sha256sum -c'、'md5sum -c'、'b2sum -c'、'xxhsum -c' 等读取）；设为 'folder' 时，把每个文件列入其所在文件夹中的 'SHA256SUMS'（或 B2SUMS、MD5SUMS 等）。</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>Hash function; xxh* are fast non-cryptographic hashes.</source>
        <translation>哈希函数；xxh* 是快速的非加密哈希。</translation>
    </message>
    <message>
        <source>one of sha256, sha1, md5, blake2b, sha512, sha3_256, xxh64, xxh3_64, xxh128</source>
        <translation>可选 sha256、sha1、md5、blake2b、sha512、sha3_256、xxh64、xxh3_64、xxh128</translation>
    </message>
    <message>
        <source>sha256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>sha1</source>
        <translation>SHA-1</translation>
    </message>
    <message>
        <source>md5</source>
        <translation>MD5</translation>
    </message>
    <message>
        <source>blake2b</source>
        <translation>BLAKE2b</translation>
    </message>
    <message>
        <source>sha512</source>
        <translation>SHA-512</translation>
    </message>
    <message>
        <source>sha3_256</source>
        <translation>SHA3-256</translation>
    </message>
    <message>
        <source>xxh64</source>
        <translation>XXH64</translation>
    </message>
    <message>
        <source>xxh3_64</source>
        <translation>XXH3-64</translation>
    </message>
    <message>
        <source>xxh128</source>
        <translation>XXH128</translation>
    </message>
    <message>
        <source>Manifest</source>
        <translation>清单</translation>
    </message>
    <message>
        <source>'sidecar' writes one manifest per input, in the output folder; 'folder' adds each file to SHA256SUMS (or B2SUMS, MD5SUMS...) beside it.</source>
        <translation>'sidecar' 为每个输入在输出文件夹中写一个清单；'folder' 把每个文件加入它旁边的 SHA256SUMS（或 B2SUMS、MD5SUMS 等）。</translation>
    </message>
    <message>
        <source>one of none, sidecar, folder</source>
        <translation>可选 none、sidecar、folder</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>sidecar</source>
        <translation>旁车文件</translation>
    </message>
    <message>
        <source>folder</source>
        <translation>按文件夹</translation>
    </message>
    <message>
        <source>Checksum: verify</source>
        <translation>校验和：验证</translation>
    </message>
    <message>
        <source>Check the files listed in each manifest (sha256sum/md5sum/b2sum or BSD format) and report changed, missing and extra files. Inputs that are not manifests are skipped.</source>
        <translation>检查每个清单（sha256sum/md5sum/b2sum 或 BSD 格式）中列出的文件，报告已更改、缺失和多余的文件。不是清单的输入将被跳过。</translation>
    </message>
    <message>
        <source>'auto' reads it from the manifest's name or tags, and tries every algorithm of the digest's length before calling a file changed.</source>
        <translation>'auto' 根据清单的名称或标记判断，并在判定文件已更改前尝试所有与摘要长度相符的算法。</translation>
    </message>
    <message>
        <source>one of auto, sha256, sha1, md5, blake2b, sha512, sha3_256, xxh64, xxh3_64, xxh128</source>
        <translation>可选 auto、sha256、sha1、md5、blake2b、sha512、sha3_256、xxh64、xxh3_64、xxh128</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Report extra files</source>
        <translation>报告多余文件</translation>
    </message>
    <message>
        <source>List files in the manifest's folder tree that it does not mention.</source>
        <translation>列出清单所在文件夹树中清单未提及的文件。</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>是或否</translation>
    </message>
    <message>
        <source>Compress</source>
        <translation>压缩</translation>
    </message>
    <message>
        <source>Compress each file (gzip, bz2, xz, zstd or zip); the original is kept unless in place.</source>
        <translation>压缩每个文件（gzip、bz2、xz、zstd 或 zip）；除非就地替换，否则保留原文件。</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Archive format.</source>
        <translation>压缩格式。</translation>
    </message>
    <message>
        <source>one of gzip, bz2, xz, zstd, zip</source>
        <translation>可选 gzip、bz2、xz、zstd、zip</translation>
    </message>
    <message>
        <source>gzip</source>
        <translation>gzip</translation>
    </message>
    <message>
        <source>bz2</source>
        <translation>bz2</translation>
    </message>
    <message>
        <source>xz</source>
        <translation>xz</translation>
    </message>
    <message>
        <source>zstd</source>
        <translation>zstd</translation>
    </message>
    <message>
        <source>zip</source>
        <translation>zip</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>0: the format's default; 1-9 (zstd 1-22): higher is smaller and slower.</source>
        <translation>0：格式默认值；1-9（zstd 为 1-22）：越高越小、越慢。</translation>
    </message>
    <message>
        <source>a whole number from 0 to 22</source>
        <translation>0 到 22 之间的整数</translation>
    </message>
    <message>
        <source>Decompress</source>
        <translation>解压缩</translation>
    </message>
    <message>
        <source>Decompress gzip, bz2, xz, zstd or one-file zip archives; the format is detected.</source>
        <translation>解压 gzip、bz2、xz、zstd 或单文件 zip 压缩包；自动识别格式。</translation>
    </message>
    <message>
        <source>Resize images</source>
        <translation>缩放图片</translation>
    </message>
    <message>
        <source>Fit each image within WIDTH x HEIGHT, keeping its aspect ratio; optionally convert it.</source>
        <translation>将每张图片缩放到 宽 x 高 以内并保持宽高比；可选转换格式。</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Largest width (0: any).</source>
        <translation>最大宽度（0：不限）。</translation>
    </message>
    <message>
        <source>a whole number of at least 0</source>
        <translation>不小于 0 的整数</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>Largest height (0: any).</source>
        <translation>最大高度（0：不限）。</translation>
    </message>
    <message>
        <source>Enlarge small images</source>
        <translation>放大小图片</translation>
    </message>
    <message>
        <source>Also enlarge images smaller than the box.</source>
        <translation>也放大小于目标尺寸的图片。</translation>
    </message>
    <message>
        <source>Output format.</source>
        <translation>输出格式。</translation>
    </message>
    <message>
        <source>one of keep, jpeg, png, webp, tiff</source>
        <translation>可选 keep、jpeg、png、webp、tiff</translation>
    </message>
    <message>
        <source>keep</source>
        <translation>保持不变</translation>
    </message>
    <message>
        <source>jpeg</source>
        <translation>JPEG</translation>
    </message>
    <message>
        <source>png</source>
        <translation>PNG</translation>
    </message>
    <message>
        <source>webp</source>
        <translation>WebP</translation>
    </message>
    <message>
        <source>tiff</source>
        <translation>TIFF</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>JPEG and WebP quality.</source>
        <translation>JPEG 和 WebP 的质量。</translation>
    </message>
    <message>
        <source>a whole number from 1 to 100</source>
        <translation>1 到 100 之间的整数</translation>
    </message>
    <message>
        <source>Strip metadata</source>
        <translation>去除元数据</translation>
    </message>
    <message>
        <source>Drop EXIF (GPS included), XMP, IPTC and comments (the colour profile is kept).</source>
        <translation>删除 EXIF（包括 GPS）、XMP、IPTC 和注释（保留色彩配置文件）。</translation>
    </message>
    <message>
        <source>Largest image (megapixels)</source>
        <translation>最大图像（百万像素）</translation>
    </message>
    <message>
        <source>0: Pillow's safety limit (about 179 MP); more allows larger images (needing more memory).</source>
        <translation>0：使用 Pillow 的安全上限（约 179 MP）；更大的值允许处理更大的图像（需要更多内存）。</translation>
    </message>
    <message>
        <source>a whole number from 0 to 100000</source>
        <translation>0 到 100000 之间的整数</translation>
    </message>
    <message>
        <source>Thumbnails</source>
        <translation>缩略图</translation>
    </message>
    <message>
        <source>Make a thumbnail of each image that fits within SIZE x SIZE (never enlarged).</source>
        <translation>为每张图片生成不超过 尺寸 x 尺寸 的缩略图（不会放大）。</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Largest side in pixels.</source>
        <translation>最长边的像素数。</translation>
    </message>
    <message>
        <source>a whole number from 8 to 4096</source>
        <translation>8 到 4096 之间的整数</translation>
    </message>
    <message>
        <source>Convert images</source>
        <translation>转换图片</translation>
    </message>
    <message>
        <source>Save each image as JPEG, PNG, WebP or TIFF, with the chosen quality and metadata.</source>
        <translation>按所选质量和元数据设置，将每张图片保存为 JPEG、PNG、WebP 或 TIFF。</translation>
    </message>
    <message>
        <source>one of jpeg, png, webp, tiff</source>
        <translation>可选 jpeg、png、webp、tiff</translation>
    </message>
    <message>
        <source>Text: convert to UTF-8</source>
        <translation>文本：转换为 UTF-8</translation>
    </message>
    <message>
        <source>Re-encode each text file as UTF-8, detecting its encoding; optionally fix line endings.</source>
        <translation>检测每个文本文件的编码并重新编码为 UTF-8；可选修正换行符。</translation>
    </message>
    <message>
        <source>Source encoding</source>
        <translation>源编码</translation>
    </message>
    <message>
        <source>'auto' detects it (UTF-8, or a marked UTF-16/32); or a name such as cp1252, shift_jis.</source>
        <translation>'auto' 自动检测（UTF-8，或带标记的 UTF-16/32）；或填写编码名称，如 cp1252、shift_jis。</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Likely legacy encodings</source>
        <translation>可能的旧式编码</translation>
    </message>
    <message>
        <source>With 'auto': the encodings a file that is not UTF-8 may be in, e.g. cp1252,gbk.</source>
        <translation>使用 'auto' 时：非 UTF-8 文件可能使用的编码，例如 cp1252,gbk。</translation>
    </message>
    <message>
        <source>Line endings</source>
        <translation>换行符</translation>
    </message>
    <message>
        <source>Keep them, or write LF, CRLF or CR.</source>
        <translation>保持不变，或写为 LF、CRLF 或 CR。</translation>
    </message>
    <message>
        <source>one of keep, lf, crlf, cr</source>
        <translation>可选 keep、lf、crlf、cr</translation>
    </message>
    <message>
        <source>lf</source>
        <translation>LF</translation>
    </message>
    <message>
        <source>crlf</source>
        <translation>CRLF</translation>
    </message>
    <message>
        <source>cr</source>
        <translation>CR</translation>
    </message>
    <message>
        <source>Write a BOM</source>
        <translation>写入 BOM</translation>
    </message>
    <message>
        <source>Start the file with a UTF-8 BOM.</source>
        <translation>在文件开头写入 UTF-8 BOM。</translation>
    </message>
    <message>
        <source>Text: line endings</source>
        <translation>文本：换行符</translation>
    </message>
    <message>
        <source>Rewrite each text file with LF, CRLF or CR line endings, in its own encoding.</source>
        <translation>以文件原有编码，用 LF、CRLF 或 CR 换行符重写每个文本文件。</translation>
    </message>
    <message>
        <source>Line ending to write.</source>
        <translation>要写入的换行符。</translation>
    </message>
    <message>
        <source>one of lf, crlf, cr</source>
        <translation>可选 lf、crlf、cr</translation>
    </message>
    <message>
        <source>Text: find and replace</source>
        <translation>文本：查找和替换</translation>
    </message>
    <message>
        <source>Replace every match of a regular expression (Python syntax; \1 in the replacement), or of plain text with fixed=true.</source>
        <translation>替换正则表达式的每个匹配（Python 语法；替换文本中可用 \1），'fixed=true' 时替换纯文本。</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Regular expression (or text, if fixed).</source>
        <translation>正则表达式（'fixed' 时为纯文本）。</translation>
    </message>
    <message>
        <source>Replace with</source>
        <translation>替换为</translation>
    </message>
    <message>
        <source>Text; \1 or \g&lt;name&gt; for groups (taken as written, if fixed).</source>
        <translation>文本；用 \1 或 \g&lt;name&gt; 引用分组（'fixed' 时按原样使用）。</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>Find and replace the text exactly as written, not as a regular expression.</source>
        <translation>按原样查找和替换文本，而不是作为正则表达式。</translation>
    </message>
    <message>
        <source>Ignore case</source>
        <translation>忽略大小写</translation>
    </message>
    <message>
        <source>Match regardless of case.</source>
        <translation>匹配时不区分大小写。</translation>
    </message>
    <message>
        <source>Match within</source>
        <translation>匹配范围</translation>
    </message>
    <message>
        <source>'line' streams the file line by line; 'file' lets a match span lines (reads it whole).</source>
        <translation>'line' 逐行处理文件；'file' 允许匹配跨行（整体读取文件）。</translation>
    </message>
    <message>
        <source>one of line, file</source>
        <translation>可选 line、file</translation>
    </message>
    <message>
        <source>line</source>
        <translation>按行</translation>
    </message>
    <message>
        <source>file</source>
        <translation>整个文件</translation>
    </message>
    <message>
        <source>Text: statistics</source>
        <translation>文本：统计</translation>
    </message>
    <message>
        <source>Count the lines, words and characters of each text file as wc -l, -w and -m do (CRLF is two characters; a last line without a line break is not counted as a line; a byte-order mark is not counted) and report its encoding.</source>
        <translation>像 wc -l、-w 和 -m 一样统计每个文本文件的行数、词数和字符数（CRLF 算两个字符；没有换行符的最后一行不算一行；字节顺序标记不计入），并报告其编码。</translation>
    </message>
    <message>
        <source>Run a command</source>
        <translation>运行命令</translation>
    </message>
    <message>
        <source>Run a program on each file. Placeholders: {} path, {.} path without extension, {/} name, {//} folder, {/.} name without extension, {ext} extension, {o} output path, {#} task number, {%} worker slot. The last line the program prints is the task's result.</source>
        <translation>对每个文件运行一个程序。占位符：{} 路径，{.} 不含扩展名的路径，{/} 文件名，{//} 文件夹，{/.} 不含扩展名的文件名，{ext} 扩展名，{o} 输出路径，{#} 任务编号，{%} 工作进程槽位。程序输出的最后一行即为任务的结果。</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Program and arguments, with placeholders.</source>
        <translation>程序及其参数，可含占位符。</translation>
    </message>
    <message>
        <source>Use shell</source>
        <translation>使用 shell</translation>
    </message>
    <message>
        <source>Run the command through the shell (pipes, globs); placeholders are quoted.</source>
        <translation>通过 shell 运行命令（管道、通配符）；占位符会被加引号。</translation>
    </message>
    <message>
        <source>Output extension</source>
        <translation>输出扩展名</translation>
    </message>
    <message>
        <source>Extension of {o} (e.g. .png); empty keeps the input's.</source>
        <translation>{o} 的扩展名（如 .png）；留空则沿用输入文件的扩展名。</translation>
    </message>
    <message>
        <source>Retry on exit codes</source>
        <translation>按退出码重试</translation>
    </message>
    <message>
        <source>Exit codes worth another attempt (with retries), e.g. 75 or 1,75-78.</source>
        <translation>值得再试一次的退出码（需设置重试次数），例如 75 或 1,75-78。</translation>
    </message>
    <message>
        <source>parameters {names} and '{last}'</source>
        <translation>参数 {names} 和 '{last}'</translation>
    </message>
    <message>
        <source>unknown parameter '{name}'; this job takes: {takes}</source>
        <translation>未知参数 '{name}'；此作业接受：{takes}</translation>
    </message>
    <message>
        <source>{where}: {reason}</source>
        <translation>{where}：{reason}</translation>
    </message>
    <message>
        <source>parameter '{name}'</source>
        <translation>参数 '{name}'</translation>
    </message>
    <message>
        <source>{value!r} is not allowed; expected {allowed}</source>
        <translation>不允许 {value!r}；应为{allowed}</translation>
    </message>
    <message>
        <source>write it as name=value</source>
        <translation>请写成 名称=值</translation>
    </message>
    <message>
        <source>give the program to run, e.g. {example}</source>
        <translation>请给出要运行的程序，例如 {example}</translation>
    </message>
    <message>
        <source>unknown placeholder {placeholder}; use {known}</source>
        <translation>未知占位符 {placeholder}；可用 {known}</translation>
    </message>
    <message>
        <source>{reason}; expected e.g. 75 or 1,75-78</source>
        <translation>{reason}；应为例如 75 或 1,75-78</translation>
    </message>
    <message>
        <source>{command!r} cannot be split into arguments: {reason}</source>
        <translation>{command!r} 无法拆分为参数：{reason}</translation>
    </message>
    <message>
        <source>{level} is not allowed for {format}; expected 0 (default) or {low} to {high}</source>
        <translation>{format} 不允许级别 {level}；应为 0（默认）或 {low} 到 {high}</translation>
    </message>
    <message>
        <source>give a width, a height or both (0 means no limit)</source>
        <translation>请给出宽度、高度或两者（0 表示不限制）</translation>
    </message>
    <message>
        <source>give the text or regular expression to find</source>
        <translation>请给出要查找的文本或正则表达式</translation>
    </message>
    <message>
        <source>{reason}; expected names such as cp1252,gbk</source>
        <translation>{reason}；应为编码名称，例如 cp1252,gbk</translation>
    </message>
    <message>
        <source>{pattern!r} is not a valid regular expression: {reason}</source>
        <translation>{pattern!r} 不是有效的正则表达式：{reason}</translation>
    </message>
    <message>
        <source>{replacement!r} is not valid for this pattern: {reason}; write \\ for a backslash, or set fixed=true</source>
        <translation>{replacement!r} 对此模式无效：{reason}；反斜杠请写成 \\，或设置 fixed=true</translation>
    </message>
    <message>
        <source>{name!r} is not a known encoding; expected auto or e.g. cp1252</source>
        <translation>{name!r} 不是已知的编码；应为 auto 或例如 cp1252</translation>
    </message>
</context>
</TS>
