#!/usr/bin/env bash
# The follow-up chapter's diagrams are laid out by Debian's Graphviz (dot), measuring their labels in DejaVu Sans,
# the theme's font: one Debian release gives the same SVG bytes on every machine (nbval compares them). Install them
# if missing.
set -euo pipefail
if command -v dot >/dev/null 2>&1 && [ -n "$(fc-list 'DejaVu Sans' file 2>/dev/null)" ]; then exit 0; fi
echo "dot or DejaVu Sans not found: installing Debian's graphviz and fonts-dejavu-core (needed by the diagrams) …"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz fonts-dejavu-core >/dev/null
command -v dot
