"""Export and import of the partner directory as CSV and Excel files.

The formats, chosen so that an export can be edited in a spreadsheet and imported back:

- Excel (.xlsx): a sheet "Partenaires", one row per partner, and a sheet "Contacts", one row per
  contact with its partner's name in the first column.
- CSV holds one table only: partners, with a "contacts" column that sums them up for reading.
  That column is ignored on import; contacts travel with Excel or with the "contact ..." columns.
  UTF-8 with a BOM and ";" between cells: what French Excel opens without an import wizard.
- Import reads the export's headers (capitals, accents and punctuation do not matter) plus
  "contact ..." columns, one contact per row: rows naming the same partner add contacts to it. A
  sheet "Contacts" laid out as exported is read too. Nothing is merged into existing partners:
  every partner of the file is created, and likely duplicates are shown before confirming.
- A cell starting with = + - @ could run as a formula in a spreadsheet (CSV injection). CSV cells
  get a leading apostrophe; Excel cells are typed as text and carry Excel's own quote-prefix
  mark, which shows nothing. The import drops such an apostrophe again.

The modules, in the order a file goes through them: ``colonnes`` (the format: columns, headers,
words), ``export`` (writing a file), ``lecture`` (reading one into rows), ``analyse`` (checking
every row with the forms). The import itself, all or nothing, is a service:
``partenariats.services.importation``.
"""
