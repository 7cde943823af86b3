; Inno Setup script of Brigade's Windows installer (Inno Setup 6).
; Built by packaging/build.py, which passes AppVersion, SourceDir (the PyInstaller
; folder) and IconFile; by hand:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\brigade /DIconFile=assets\icons\brigade.ico packaging\windows\brigade.iss

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

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Brigade"; Filename: "{app}\brigade.exe"; Comment: "Batch file jobs on every core"
Name: "{autodesktop}\Brigade"; Filename: "{app}\brigade.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\brigade.exe"; Description: "{cm:LaunchProgram,Brigade}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
