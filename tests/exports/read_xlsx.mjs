// An independent XLSX reader for the export tests: prints, as JSON, what exceljs reads from the
// workbook given as the only argument: per sheet its name, frozen panes, autofilter, column
// widths and every cell with its type, value, number format and boldness. Dates are printed
// as Excel serial numbers (days since 1899-12-30, wall-clock time as written) so that the test
// can compare them without time-zone conversions.
//   node tests/exports/read_xlsx.mjs FILE.xlsx
import ExcelJS from 'exceljs';

const kExcelEpochMs = Date.UTC(1899, 11, 30);

// OOXML escapes characters XML cannot hold as-is (CR, control characters) as _xHHHH_ (ECMA-376
// ST_Xstring); Excel and LibreOffice decode them, exceljs leaves them as they are.
function unescapeXstring(text) {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

function cellJson(cell) {
  const out = { t: 'null', v: null };
  switch (cell.type) {
    case ExcelJS.ValueType.Null:
      break;
    case ExcelJS.ValueType.Number:
      out.t = 'number';
      out.v = cell.value;
      break;
    case ExcelJS.ValueType.String:
    case ExcelJS.ValueType.SharedString:
      out.t = 'string';
      out.v = unescapeXstring(cell.value);
      break;
    case ExcelJS.ValueType.RichText:
      out.t = 'string';
      out.v = unescapeXstring(cell.value.richText.map((r) => r.text).join(''));
      break;
    case ExcelJS.ValueType.Date:
      out.t = 'date';
      out.v = (cell.value.getTime() - kExcelEpochMs) / 86400000;
      break;
    case ExcelJS.ValueType.Boolean:
      out.t = 'boolean';
      out.v = cell.value;
      break;
    case ExcelJS.ValueType.Formula:
      out.t = 'formula';
      out.v = cell.formula;
      break;
    default:
      out.t = 'other:' + cell.type;
      out.v = String(cell.value);
  }
  if (cell.numFmt) out.f = cell.numFmt;
  if (cell.font && cell.font.bold) out.b = true;
  return out;
}

const workbook = new ExcelJS.Workbook();
await workbook.xlsx.readFile(process.argv[2]);
const sheets = [];
workbook.eachSheet((ws) => {
  const rows = [];
  for (let r = 1; r <= ws.rowCount; ++r) {
    const row = ws.getRow(r);
    const cells = [];
    for (let c = 1; c <= ws.columnCount; ++c) cells.push(cellJson(row.getCell(c)));
    rows.push(cells);
  }
  const view = (ws.views && ws.views[0]) || {};
  sheets.push({
    name: ws.name,
    frozen: view.state === 'frozen' ? { x: view.xSplit || 0, y: view.ySplit || 0 } : null,
    autoFilter: ws.autoFilter || null,
    widths: (ws.columns || []).map((col) => col.width || null),
    rows,
  });
});
process.stdout.write(JSON.stringify({ sheets }));
