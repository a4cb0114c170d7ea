#!/usr/bin/env bash
# Install the Debian packages the test suite's real services need (PostgreSQL, MariaDB + WordPress + PHP,
# nginx, Chromium). Idempotent: installs only what is missing. Needs root (CI and dev machines here are root);
# without root it says what to install and exits non-zero.
set -euo pipefail

PACKAGES=(
  postgresql postgresql-contrib
  mariadb-server wordpress wordpress-l10n wordpress-theme-twentytwentyone php-cli php-mysql php-xml php-mbstring php-curl php-gd php-intl php-zip
  nginx
  chromium fonts-noto-cjk
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != "0" ]; then
  echo "install-services: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-services: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep services from auto-starting: the tests start private instances on 127.0.0.1.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
rm -f /usr/sbin/policy-rc.d
