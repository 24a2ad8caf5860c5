#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages GenLab needs when they are missing (CI runs this before the tests):
#   fonts-dejavu-core  the faces the digit labs draw with and the plots are labelled in (named in the experiments)
#   gcc                compiles build/mkl_on_amd.c and the NaN tests' tests/GenLab.Runner.Tests/Native/poison_alloc.c
#   python3-torch      PyTorch 1.13 for the export tests (tests/python/check_export.py loads what `genlab export` writes)
#   chromium           headless browser of the browser tests (results index, comparison pages, `genlab serve`)
#   chromium-driver    ChromeDriver, through which the tests' Selenium WebDriver drives chromium (same version)
#   slurm-wlm, munge   Slurm and its authentication daemon for the sweep test (tests/GenLab.Runner.Tests/Sweeps/SlurmSweepTests.cs):
#                      it starts its own one-node cluster in a temp folder; the system's slurmctld/slurmd services stay
#                      unconfigured (no /etc/slurm/slurm.conf) and do not start
# Runs apt-get as root, or through sudo. On other systems it lists what to install and stops.
set -euo pipefail

needed=(fonts-dejavu-core gcc libc6-dev python3-torch chromium chromium-driver slurm-wlm munge)
missing=()
for package in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "GenLab needs these Debian packages, or your system's equivalent: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
