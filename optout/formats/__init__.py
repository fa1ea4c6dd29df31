"""One date format per language (``FORMAT_MODULE_PATH``): pages write dates with
``|date:"DATE_FORMAT"`` or ``|date:"DATETIME_FORMAT"``, and the short forms are the same,
so a reader sees one form of a date everywhere. Custody times that need the second
(the ledger, a capture's moment) are written ``Y-m-d H:i:s`` in UTC, as in packets."""
