#!/bin/sh
# Starts the kiosk at login for every user of the booth (XDG autostart).
set -e
mkdir -p /etc/xdg/autostart
cat > /etc/xdg/autostart/fr.cabine.kiosk.desktop <<'DESKTOP'
[Desktop Entry]
Type=Application
Name=Cabine
Exec=/opt/Cabine/cabine
X-GNOME-Autostart-enabled=true
NoDisplay=true
DESKTOP
