#!/bin/sh
set -e
rm -f /etc/xdg/autostart/fr.cabine.kiosk.desktop
