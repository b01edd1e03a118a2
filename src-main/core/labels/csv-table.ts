import { HistoError } from '../errors';

/** One data row of a CSV file with its 1-based line number, for error messages. */
export interface CsvRow {
  line: number;
  fields: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

const MAX_FIELD_CHARS = 64 * 1024;

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) with the first row as header.
 * Every error names the file and line: a label file is fixed by hand, so the line matters.
 */
export function parseCsv(text: string, file: string): CsvTable {
  const records: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    if (field.length > MAX_FIELD_CHARS) throw new HistoError('BAD_INPUT', `${file}: line ${recordLine}: a field is longer than ${MAX_FIELD_CHARS} characters`);
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark from spreadsheet exports
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
        // Checked here too: an unclosed quote must not grow one field to the size of the file.
        if (field.length > MAX_FIELD_CHARS) throw new HistoError('BAD_INPUT', `${file}: line ${recordLine}: a field is longer than ${MAX_FIELD_CHARS} characters`);
      }
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
    if (field.length > MAX_FIELD_CHARS) throw new HistoError('BAD_INPUT', `${file}: line ${recordLine}: a field is longer than ${MAX_FIELD_CHARS} characters`);
  }
  if (quoted) throw new HistoError('BAD_INPUT', `${file}: line ${recordLine}: a quoted field is never closed`);
  if (field !== '' || fields.length > 0) endRecord();
  const [head, ...rows] = records;
  if (!head) throw new HistoError('BAD_INPUT', `${file}: empty; expected a header line such as source,x,y,label`);
  const header = head.fields.map((h) => h.trim().toLowerCase());
  for (const row of rows) {
    if (row.fields.length !== header.length) {
      throw new HistoError('BAD_INPUT', `${file}: line ${row.line}: ${row.fields.length} fields, but the header has ${header.length}`);
    }
  }
  return { header, rows };
}
