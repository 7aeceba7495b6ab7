// Rows of the big tables (top, diff, the source listing) built as DOM nodes in one call from
// WebAssembly per table, instead of a dozen calls per row (`ui::tables::Rows`). Every text is
// set with `textContent`, so names and source lines are never parsed as markup.
//
// A row is a clone of `proto` (its cells, their classes, roles and fixed attributes made once).
// Its "slots", in order, are its cells, except that a cell with child elements stands for its
// children (the diff table's name cell: the new/gone badges and the name). For each row,
// `strings` holds, one after another (each ending at the next offset of `ends`, in UTF-16
// units): the row's class, the values of the attributes named in `attrs` (space-separated),
// then the text of its first `nSlots` slots. (Integers come as their decimal digits, written
// in WebAssembly.) An empty class or attribute keeps the prototype's (the source listing's
// prototype is a line without samples: most lines cost no call). An empty text leaves a cell
// empty and removes a slot that is not a cell (an absent badge).
//
// With `chunk` > 0 the rows go in groups of `chunk` (a `div` of class `chunkClass`, role
// rowgroup) whose placeholder height is `rowPx` per row: CSS `content-visibility: auto` on the
// group lets the browser skip the style, layout and paint of groups out of view.
export function fillRows(holder, proto, nSlots, attrs, strings, ends, chunk, chunkClass, rowPx) {
  const doc = holder.ownerDocument;
  const sa = attrs ? attrs.split(' ') : [];
  const perRow = 1 + sa.length + nSlots;
  const nRows = ends.length / perRow;
  const frag = doc.createDocumentFragment();
  // Where each slot is: [cell index, child index or -1 (the cell itself)].
  const paths = [];
  for (let c = proto.firstElementChild, ci = 0; c !== null && paths.length < nSlots; c = c.nextElementSibling, ci++) {
    if (c.firstElementChild === null) paths.push([ci, -1]);
    else for (let s = c.firstElementChild, si = 0; s !== null && paths.length < nSlots; s = s.nextElementSibling, si++) paths.push([ci, si]);
  }
  const gone = [];
  let at = 0;
  let e = 0;
  let group = frag;
  const next = () => {
    const s = strings.slice(at, ends[e]);
    at = ends[e++];
    return s;
  };
  for (let r = 0; r < nRows; r++) {
    if (chunk > 0 && r % chunk === 0) {
      group = doc.createElement('div');
      group.className = chunkClass;
      group.setAttribute('role', 'rowgroup');
      group.style.containIntrinsicSize = `auto ${Math.min(chunk, nRows - r) * rowPx}px`;
      frag.appendChild(group);
    }
    const row = proto.cloneNode(true);
    const cls = next();
    if (cls) row.className = cls;
    for (let i = 0; i < sa.length; i++) {
      const v = next();
      if (v) row.setAttribute(sa[i], v);
    }
    // Only the slots with a text (or to remove) are looked up.
    const cells = row.children;
    for (let i = 0; i < paths.length; i++) {
      const t = next();
      const [ci, si] = paths[i];
      if (t) (si < 0 ? cells[ci] : cells[ci].children[si]).textContent = t;
      else if (si >= 0) gone.push(cells[ci].children[si]);
    }
    for (let i = paths.length; i < nSlots; i++) next();
    // (Removed after the row's slots are found, so that child indexes hold.)
    while (gone.length) gone.pop().remove();
    group.appendChild(row);
  }
  holder.textContent = '';
  holder.appendChild(frag);
}
