; Inno Setup 6 script: the offline installer for Windows laptops (警务工作包-安装程序-<版本>.exe).
; Input: dist\FieldKit\ from fieldkit.spec (PyInstaller one-dir). Build on Windows:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\fieldkit.iss
; Installs per machine under Program Files (administrators install; officers only run it), adds
; the Start-menu entry 警务工作包 and an optional desktop icon, and uninstalls cleanly. The
; officers' data (%LOCALAPPDATA%\FieldKit) is never touched by install, upgrade or uninstall.
; An upgrade is the same installer with a higher AppVersion: same AppId, installed over the old.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define SrcDir AddBackslash(SourcePath) + "..\..\dist\FieldKit"

[Setup]
; Never change AppId: it is what makes a newer installer an upgrade of the older one.
AppId={{6F1C2A4E-3B7D-4C59-9E21-5A8F0D4B7C13}
AppName=警务工作包 FieldKit
AppVersion={#AppVersion}
AppPublisher=FieldKit
DefaultDirName={autopf}\FieldKit
DefaultGroupName=警务工作包
DisableProgramGroupPage=yes
; x64 only: the wheels FieldKit needs (PySide6, sqlcipher3, OpenCV) publish win_amd64 builds.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Windows 10 and later; PySide6 6.x no longer runs on Windows 7 (docs/install-windows.md).
MinVersion=10.0
PrivilegesRequired=admin
OutputDir={#SourcePath}\..\..\dist
OutputBaseFilename=FieldKit-Setup-{#AppVersion}
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\fieldkit-gui.exe
CloseApplications=yes

[Languages]
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; Replace the whole program folder on upgrade: a file left from an older version could shadow a
; module of the new one.
Source: "{#SrcDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\警务工作包"; Filename: "{app}\fieldkit-gui.exe"; WorkingDir: "{app}"
Name: "{group}\卸载警务工作包"; Filename: "{uninstallexe}"
Name: "{autodesktop}\警务工作包"; Filename: "{app}\fieldkit-gui.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; Proves the bundle starts (imports every command module); touches no data.
Filename: "{app}\fieldkit.exe"; Parameters: "--help"; Flags: runhidden waituntilterminated
Filename: "{app}\fieldkit-gui.exe"; Description: "{cm:LaunchProgram,警务工作包}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself left in its folder (Python caches); never %LOCALAPPDATA%\FieldKit.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
