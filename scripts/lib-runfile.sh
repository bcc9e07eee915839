# Sourced, not run: where `dotnet run app.cs` (a .NET 10 file-based app) puts its build.
#
# The SDK builds under ~/.local/share/dotnet/runfile/<file name without .cs>-<sha256 of the upper-cased full path>
# (DOTNET_CLI_HOME replaces ~ when set). Scripts that run file-based apps remove that folder afterwards: each build holds the
# app's package files, 1.1 GB of libtorch where MSBuild cannot hard-link it from the NuGet cache.
#
# Usage: . scripts/lib-runfile.sh; rm -rf "$(runfile_dir path/to/app.cs)"
runfile_dir() {
  local full
  full=$(realpath -ms "$1")
  printf '%s/.local/share/dotnet/runfile/%s-%s\n' "${DOTNET_CLI_HOME:-$HOME}" "$(basename "$full" .cs)" \
    "$(printf %s "$full" | tr a-z A-Z | sha256sum | cut -d' ' -f1)"
}
