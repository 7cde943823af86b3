; Inno Setup script of Brigade's Windows installer (Inno Setup 6).
; Built by packaging/build.py, which passes AppVersion, SourceDir (the PyInstaller
; folder) and IconFile; by hand:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\brigade /DIconFile=assets\icons\brigade.ico packaging\windows\brigade.iss
;
; Written from the Inno Setup 6 documentation ([InstallDelete], [Registry] with
; {olddata}, ChangesEnvironment, RegQueryStringValue); built and smoke-run by the
; release workflow on windows-latest.

#ifndef AppVersion
  #error Pass /DAppVersion=x.y.z
#endif
#ifndef SourceDir
  #error Pass /DSourceDir=<the PyInstaller output folder>
#endif
#ifndef IconFile
  #define IconFile "..\..\assets\icons\brigade.ico"
#endif

[Setup]
AppId={{6F0B7C2E-4B1D-4C55-9E0A-2B8E7F5D3A41}
AppName=Brigade
AppVersion={#AppVersion}
AppVerName=Brigade {#AppVersion}
AppPublisher=Brigade developers
; Per-user by default, no administrator rights needed; the dialog still offers an
; all-users install to those who have them.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\Brigade
DefaultGroupName=Brigade
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\brigade.exe
UninstallDisplayName=Brigade
SetupIconFile={#IconFile}
OutputBaseFilename=Brigade-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Workers are processes of brigade.exe: close them too before replacing files.
CloseApplications=yes
; The optional PATH entry: tell Explorer (and so new command prompts) it changed.
ChangesEnvironment=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add brigade-cli to the PATH (for command prompts opened afterwards)"; GroupDescription: "Command line:"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the program's modules as a whole: a module of the old version left
; in _internal would be found by the new one (and a removed one would linger forever).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Brigade"; Filename: "{app}\brigade.exe"; Comment: "Batch file jobs on every core"
Name: "{autodesktop}\Brigade"; Filename: "{app}\brigade.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\brigade.exe"; Description: "{cm:LaunchProgram,Brigade}"; Flags: nowait postinstall skipifsilent

[Registry]
; The user's PATH for a per-user install, the machine's for an all-users one.
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: (not IsAdminInstallMode) and NeedsAddPath
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: IsAdminInstallMode and NeedsAddPath

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
function PathRoot: Integer;
begin
  if IsAdminInstallMode then
    Result := HKEY_LOCAL_MACHINE
  else
    Result := HKEY_CURRENT_USER;
end;

function PathKey: String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

{ Position of the program folder in ';' + Paths + ';', 0 when it is not on the PATH. }
function AppPathPos(Paths: String): Integer;
begin
  Result := Pos(';' + Uppercase(ExpandConstant('{app}')) + ';', ';' + Uppercase(Paths) + ';');
end;

function NeedsAddPath: Boolean;
var
  Paths: String;
begin
  if not RegQueryStringValue(PathRoot, PathKey, 'Path', Paths) then
    Result := True
  else
    Result := AppPathPos(Paths) = 0;
end;

{ The uninstaller takes the folder off the PATH again, wherever it is in the list. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths: String;
  P: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(PathRoot, PathKey, 'Path', Paths) then
    exit;
  P := AppPathPos(Paths);
  if P = 0 then
    exit;
  if P = 1 then
    Delete(Paths, 1, Length(ExpandConstant('{app}')) + 1)
  else
    Delete(Paths, P - 1, Length(ExpandConstant('{app}')) + 1);
  RegWriteExpandStringValue(PathRoot, PathKey, 'Path', Paths);
end;
