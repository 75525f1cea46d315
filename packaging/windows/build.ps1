# Build the Windows installer: dist\FieldKit-Setup-<version>.exe.
# Run on a Windows 10/11 x64 build machine with Python 3.11 and Inno Setup 6, from anywhere:
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Version 0.1.0]
# Needs the network once (pip); the installer it makes needs none (docs/install-windows.md).
param([string]$Version = "")
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
if (-not $Version) {
    $Version = (Select-String -Path pyproject.toml -Pattern '^version = "(.+)"').Matches[0].Groups[1].Value
}
$Venv = Join-Path $Root ".venv-win"
if (-not (Test-Path $Venv)) { py -3.11 -m venv $Venv }
& "$Venv\Scripts\python.exe" -m pip install --upgrade pip
& "$Venv\Scripts\python.exe" -m pip install . "pyinstaller==6.22.3"
$env:QT_QPA_PLATFORM = "offscreen"
& "$Venv\Scripts\python.exe" packaging\windows\make_icon.py packaging\windows\fieldkit.ico
Remove-Item Env:QT_QPA_PLATFORM
& "$Venv\Scripts\pyinstaller.exe" packaging\windows\fieldkit.spec --noconfirm --distpath dist --workpath build\pyinstaller
# The bundle must start before it is packed: --help imports every command module.
& dist\FieldKit\fieldkit.exe --help | Out-Null
if ($LASTEXITCODE -ne 0) { throw "dist\FieldKit\fieldkit.exe does not start" }
$Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
& $Iscc "/DAppVersion=$Version" packaging\windows\fieldkit.iss
Write-Host "dist\FieldKit-Setup-$Version.exe"
