# Sourced by scripts/serve and scripts/test: installs the Debian packages that are missing.
# As root, or with passwordless sudo, it installs them; otherwise it prints the exact command
# and stops, since nothing else can install system libraries.
apt_ensure() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local apt_get
  if [ "$(id -u)" = 0 ]; then
    apt_get="apt-get"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt_get="sudo apt-get"
  else
    echo "These system packages are missing: ${missing[*]}. Install them, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "==> Installing ${missing[*]}"
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq "${missing[@]}" >/dev/null
}

# WeasyPrint (the booklet and other PDFs) draws text with Pango and subsets fonts with HarfBuzz
# (without it, a DeprecationWarning that the test suite turns into an error).
APP_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
