# Shared by the role scripts. Files appear whole: written aside, then renamed, so a reader polling for them never
# sees a half-written one.
function Publish-File([string] $Path, $Value) {
    Set-Content -Path "$Path.tmp" -Value $Value
    Move-Item -Force -Path "$Path.tmp" -Destination $Path
}
