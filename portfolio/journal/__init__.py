"""The change journal: recording each action's changes, reading a record's past, and
saying journalled values in words."""
