# Sourced, not run: points NUGET_PACKAGES at a private packages folder in which transfernotebooks/ is always fresh.
#
# NuGet never re-extracts a package whose id/version folder already exists, so once the shared ~/.nuget/packages holds a
# TransferNotebooks 0.1.0 packed from another branch or worktree, a restore would silently use that copy instead of the one in
# artifacts/feed. Clearing the shared folder would race with other builds on this machine, so this makes a private folder with
# a link to the user's folder for every other package (torch is not downloaded again) and no transfernotebooks/.
#
# Usage: . scripts/lib-private-packages.sh; use_private_packages DIR
use_private_packages() {
  local dir=$1 user_packages=${NUGET_PACKAGES:-$HOME/.nuget/packages} d n
  mkdir -p "$dir" "$user_packages"
  if [ "$(realpath "$user_packages")" != "$(realpath "$dir")" ]; then
    for d in "$user_packages"/*/; do
      [ -d "$d" ] || continue
      n=$(basename "$d")
      [ "$n" = transfernotebooks ] || [ -e "$dir/$n" ] || ln -s "${d%/}" "$dir/$n"
    done
  fi
  rm -rf "${dir:?}/transfernotebooks"
  export NUGET_PACKAGES=$dir
}
