"""Access-control entities shared by the terminal families: door contact, alarms, access.

Each family decodes its own wire (zk/ for terminals Home Assistant calls, adms/ for push
terminals) and reports what it understood to an AccessFeed; the entities here show the feed
the same way the MQTT doors show theirs (same keys, translations and device classes).
"""
