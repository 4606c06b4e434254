; Inno Setup script: a Windows installer around the folder packaging/build.py makes.
; From the repository root, after `py packaging\build.py`:
;   iscc /DAppVersion=0.1.0 packaging\windows\portfolio.iss
; writes dist\Portfolio-0.1.0-windows-x86_64-setup.exe. It installs for the current user
; without administrator rights (or for everyone, if they choose), adds a Start menu
; entry, offers Portfolio in Explorer's "Open with" for .sqlite3 portfolios, and
; uninstalls cleanly. Not tried yet: no Windows machine was at hand (see the README).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{5B0F2D64-8C1E-4E57-9A43-2E7C1D9B6F10}
AppName=Portfolio
AppVersion={#AppVersion}
AppPublisher=Portfolio
DefaultDirName={autopf}\Portfolio
DefaultGroupName=Portfolio
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
UninstallDisplayIcon={app}\Portfolio.exe
OutputDir=..\..\dist
OutputBaseFilename=Portfolio-{#AppVersion}-windows-x86_64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Files]
Source: "..\..\dist\Portfolio\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Portfolio"; Filename: "{app}\Portfolio.exe"
Name: "{autodesktop}\Portfolio"; Filename: "{app}\Portfolio.exe"; Tasks: desktopicon

[Registry]
; .sqlite3 portfolios: Portfolio is offered in "Open with" (and opens them when nothing
; else claims the extension); Portfolio.exe turns the lone file argument into --db.
Root: HKA; Subkey: "Software\Classes\.sqlite3\OpenWithProgids"; ValueType: string; ValueName: "Portfolio.Database"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Portfolio.Database"; ValueType: string; ValueName: ""; ValueData: "Portfolio database"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Portfolio.Database\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\Portfolio.exe,0"
Root: HKA; Subkey: "Software\Classes\Portfolio.Database\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\Portfolio.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\Portfolio.exe\SupportedTypes"; ValueType: string; ValueName: ".sqlite3"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\Portfolio.exe"; Description: "Start Portfolio"; Flags: nowait postinstall skipifsilent
