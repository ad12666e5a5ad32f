// The columns of the table views as the server declares them, once (src/metrics/view_columns.h,
// served at GET /api/v1/columns): each column's name, title, type, unit, nullability and sort
// rule, and each table's tie-break. A view names which declared columns it shows, in its order,
// and overrides only how they look; what a cell's format is and whether its header sorts (and
// by which rule) come from the declaration, so a column renamed or made (un)sortable on the
// server follows here without a change to the UI.
//
// This module reaches the network only through the `get` handed to loadColumns, so that Node's
// test runner can load it (api.js needs a browser).

// The declared types, and the table.js format each is shown in.
export const FORMAT_OF_TYPE = {
  text: 'text',
  key: 'text',
  integer: 'int',
  fraction: 'pct',
  duration: 'duration',
  instant: 'date',
  date: 'day',
  bool: 'bool',
  key_list: 'list',
};
export const SORT_RULES = ['bytes', 'number', 'fraction', 'false_first'];

// What a view may say about a declared column: presentation only (see tableColumns).
const OVERRIDES = new Set(['name', 'label', 'render', 'rowHeader', 'sort', 'numeric']);

let declared = null;  // {<table>: {columns: [...], tie_break: [...]}}, once loaded

function malformed(why) {
  return new Error(`The server's table columns (/api/v1/columns) are not as expected: ${why}`);
}

// Checks the answer of /api/v1/columns and keeps its tables; answers them. A declaration this
// UI cannot read fails here, at boot, rather than as a table that shows the wrong thing.
export function setDeclaration(data) {
  if (!data || typeof data.tables !== 'object' || data.tables === null) {
    throw malformed('no "tables"');
  }
  for (const [name, table] of Object.entries(data.tables)) {
    if (!Array.isArray(table.columns) || !Array.isArray(table.tie_break)) {
      throw malformed(`table '${name}' has no "columns" or "tie_break" list`);
    }
    for (const c of table.columns) {
      if (typeof c.name !== 'string' || typeof c.title !== 'string' ||
        !(c.type in FORMAT_OF_TYPE) || (c.sort !== null && !SORT_RULES.includes(c.sort))) {
        throw malformed(`column ${JSON.stringify(c)} of '${name}'`);
      }
    }
    for (const tie of table.tie_break) {
      if (!table.columns.some((c) => c.name === tie && c.sort !== null)) {
        throw malformed(`the tie-break '${tie}' of '${name}' is not a sortable column`);
      }
    }
  }
  declared = data.tables;
  return declared;
}

// Loads the declaration (app.js, once, before the first view mounts). `get(url)` answers the
// parsed JSON or throws (api.get).
export async function loadColumns(get) {
  let data;
  try {
    data = await get('/api/v1/columns');
  } catch (e) {
    // Not the error itself: a 404 would read as "this page does not exist" in the error box.
    throw new Error(`Could not load the table columns (/api/v1/columns): ${e.message}`);
  }
  return setDeclaration(data);
}

// The declared table `name`.
export function declaredTable(name, tables = declared) {
  if (!tables) throw new Error('The table columns are not loaded yet.');
  const table = tables[name];
  if (!table) throw new Error(`The server declares no table '${name}'.`);
  return table;
}

// The header a column has unless the view words it otherwise: its sheet title without the
// trailing " %" (a table cell shows "72.5%" itself).
export function defaultLabel(title) {
  return title.replace(/ %$/, '');
}

// A column the declaration does not have, worked out in the browser (the `#` of a row's
// position): shown as the view says, and never sortable, since the API could not sort by it.
// `type` is a table.js format (int, text, ...).
export function clientColumn({key, label, type = 'text', render, numeric}) {
  return {client: true, key, label, type, render, numeric};
}

// The table options of a view over the declared table `tableName`:
// - `columns` for createTable, in the view's order. Each pick is a declared column's name, or
//   {name, label?, render?(row), rowHeader?, sort?, numeric?}: presentation only. `sort` names
//   another declared column that orders this one; `numeric` aligns the cells as figures (or
//   not) when a custom render shows something else than the type says. The format comes from
//   the declared type, and the header is a sort button only when the column (and its `sort`)
//   is declared sortable. Or a clientColumn (unsortable).
// - `sorting`: every declared column's sort rule and the tie-break, for sorting in the browser.
export function tableColumns(tableName, picks, tables = declared) {
  const table = declaredTable(tableName, tables);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const find = (name) => {
    const c = byName.get(name);
    if (!c) throw new Error(`The server declares no column '${name}' in '${tableName}'.`);
    return c;
  };
  const columns = picks.map((pick) => {
    if (pick.client) return {...pick, sort: null, sortable: false};
    const spec = typeof pick === 'string' ? {name: pick} : pick;
    for (const k of Object.keys(spec)) {
      if (!OVERRIDES.has(k)) {
        throw new Error(`Column '${spec.name}' of '${tableName}': '${k}' is not a view's to say.`);
      }
    }
    const c = find(spec.name);
    const by = spec.sort === undefined ? c : find(spec.sort);
    return {
      key: c.name,
      label: spec.label ?? defaultLabel(c.title),
      type: FORMAT_OF_TYPE[c.type],
      sort: by.name,
      sortable: c.sort !== null && by.sort !== null,
      render: spec.render,
      rowHeader: spec.rowHeader,
      numeric: spec.numeric,
    };
  });
  const sorting = {
    rules: Object.fromEntries(table.columns.map((c) => [c.name, c.sort])),
    tieBreak: [...table.tie_break],
  };
  return {columns, sorting};
}
