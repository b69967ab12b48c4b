"""Import and export of the question bank: our own JSON format, Moodle's GIFT and Aiken.

Parsers (json_format, gift, aiken) turn a file into a ParsedFile without touching the database;
services.import_questions writes one in a single transaction and returns an ImportReport;
services.export_questions writes a queryset out in any of the three formats."""
