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
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Close Brigade</source>
        <translation>关闭 Brigade</translation>
    </message>
    <message>
        <source>&amp;Quit when done</source>
        <translation>完成后退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Close Brigade when every batch has finished</source>
        <translation>所有批次完成后关闭 Brigade</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
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
    <name>DropZone</name>
    <message>
        <source>Drop files or folders here</source>
        <translation>将文件或文件夹拖放到此处</translation>
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
        <source>e.g. *.jpg; *.png</source>
        <translation>例如 *.jpg; *.png</translation>
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
        <source>Two tasks would write the same file:</source>
        <translation>有两个任务会写入同一个文件：</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
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
        <source>the cluster is not connected yet</source>
        <translation>集群尚未连接</translation>
    </message>
    <message>
        <source>Nothing will run: %1</source>
        <translation>不会运行任何任务：%1</translation>
    </message>
    <message>
        <source>Cleared %1 finished task</source>
        <translation>已清除 %1 个已完成的任务</translation>
    </message>
    <message>
        <source>Cleared %1 finished tasks</source>
        <translation>已清除 %1 个已完成的任务</translation>
    </message>
    <message>
        <source>Batch %1 has nothing left to run</source>
        <translation>批次 %1 没有剩余需要运行的任务</translation>
    </message>
    <message>
        <source>Resuming batch %1</source>
        <translation>正在继续批次 %1</translation>
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
        <source>seconds ago</source>
        <translation>秒前</translation>
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
        <source>This job has no options.</source>
        <translation>此作业没有选项。</translation>
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
        <source>Filter by file name or result…</source>
        <translation>按文件名或结果筛选…</translation>
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
        <source>Show in file manager</source>
        <translation>在文件管理器中显示</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>显示日志</translation>
    </message>
</context>
</TS>
