; Inno Setup script of SRADAR Desktop: a per-user installation, without administrator rights.
;
;   ISCC /DAppVersion=0.1.0 "/DSourceDir=dist\SRADAR Desktop" /Odist installer\sradar-desktop.iss
;
; (installer\build.py --installer runs it with the package's version.) Silent installation for
; IT departments:  SRADAR-Desktop-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER
; Silent removal:  "%LOCALAPPDATA%\Programs\SRADAR Desktop\unins000.exe" /VERYSILENT
; The user's data (%LOCALAPPDATA%\SRADAR Desktop: database, backups, log) is never in the
; installation folder and the uninstaller leaves it in place.

#ifndef AppVersion
  #error Passez la version : ISCC /DAppVersion=x.y.z
#endif
#ifndef SourceDir
  #define SourceDir "..\dist\SRADAR Desktop"
#endif
; The folder the installation goes into. Only the checks under wine (.ci/windows) change it,
; to {localappdata}\Programs: wine cannot resolve {autopf} for a per-user installation.
#ifndef InstallRoot
  #define InstallRoot "{autopf}"
#endif

[Setup]
; Stable identifier: never change it, upgrades and uninstallation depend on it.
AppId={{4B8E2D3C-7A61-4F0B-9C52-5A1D8E6F2B90}
AppName=SRADAR Desktop
AppVersion={#AppVersion}
AppVerName=SRADAR Desktop {#AppVersion}
AppPublisher=SRADAR Desktop
VersionInfoVersion={#AppVersion}
VersionInfoProductName=SRADAR Desktop
VersionInfoDescription=Installation de SRADAR Desktop
; Per user, no administrator rights: {autopf} is then %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline
DefaultDirName={#InstallRoot}\SRADAR Desktop
DefaultGroupName=SRADAR Desktop
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=SRADAR-Desktop-{#AppVersion}
SetupIconFile=..\resources\icons\sradar-desktop.ico
UninstallDisplayIcon={app}\SRADAR Desktop.exe
UninstallDisplayName=SRADAR Desktop
Compression=lzma2/ultra
SolidCompression=yes
WizardStyle=modern
; An upgrade closes a running SRADAR Desktop first, then installs over the previous version.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "Créer un raccourci sur le bureau"; GroupDescription: "Raccourcis :"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\SRADAR Desktop"; Filename: "{app}\SRADAR Desktop.exe"
Name: "{group}\Guide d'utilisation"; Filename: "{app}\_internal\resources\guide\guide.html"
Name: "{group}\Désinstaller SRADAR Desktop"; Filename: "{uninstallexe}"
Name: "{autodesktop}\SRADAR Desktop"; Filename: "{app}\SRADAR Desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\SRADAR Desktop.exe"; Description: "Lancer SRADAR Desktop"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself may leave in its installation folder; the user's data stays.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
