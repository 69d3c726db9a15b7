// The claim list as a DataTable, loaded after DataTables by the audit page only (helpers.tables.datatables_assets):
// search, sort by any column, a filter by verdict; every row stays on one page (no paging), so a link to #claim-<id>
// lands on its row, which is scrolled to and marked (also when a search had hidden it). Without JavaScript the table
// is shown in full as it is.
(function () {
  var nb = (document.documentElement.lang || "en").indexOf("nb") === 0;
  var words = nb
    ? { search: "Søk", verdict: "Vis", all: "alle kontrollutfall", info: "Viser _TOTAL_ av _MAX_ tall",
        empty: "Ingen tall passer til søket", sort: ": velg for å sortere", reverse: ": velg for å snu sorteringen",
        unsort: ": velg for å fjerne sorteringen" }
    : { search: "Search", verdict: "Show", all: "every verdict", info: "_TOTAL_ of _MAX_ claims shown",
        empty: "No claim matches the search", sort: ": activate to sort", reverse: ": activate to reverse the sorting",
        unsort: ": activate to remove the sorting" };

  // long words carry soft hyphens (helpers.tables.plain_html), where a narrow column may break them
  var SHY = "\u00ad";
  function plain(text) { return text.split(SHY).join(""); }

  function escapeRegex(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function interactive(box, index, DataTable) {
    var table = box.querySelector("table");
    var scroller = table && table.closest('[role="region"]');  // the table's own scrolling box (helpers.tables)
    if (!table || !scroller) return;
    // each cell names its column, for the cards a phone shows (.table-cards in site.css), as helpers.tables.to_html
    // writes into its own tables
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, i) { if (!th.id) th.id = "claim-list-column-" + index + "-" + i; });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
      Array.prototype.forEach.call(tr.cells, function (td, i) {
        // a search finds a word whole: DataTables searches the cell's text without the soft hyphens of long words
        // (on every cell: DataTables reads a column's search text from the attribute only if all its cells have it)
        td.setAttribute("data-search", plain(td.textContent));
        if (!heads[i]) return;
        td.setAttribute("data-label", plain(heads[i].textContent).trim());
        td.setAttribute("headers", heads[i].id);  // the cell's column, for assistive technology and the cards
      });
    });
    var api = new DataTable(table, {
      paging: false, order: [], autoWidth: false,
      layout: { topStart: "search", topEnd: "info", bottomStart: null, bottomEnd: null },
      language: { search: words.search, info: words.info, infoEmpty: words.info, infoFiltered: "", zeroRecords: words.empty,
                  aria: { orderable: words.sort, orderableReverse: words.reverse, orderableRemove: words.unsort } }
    });
    // the controls go above the scrolling box; the table stays inside it (its styles are scoped to that box)
    var controls = document.createElement("div");
    controls.className = "table-controls";
    var container = api.table().container();
    Array.prototype.forEach.call(container.querySelectorAll(".dt-search, .dt-info"), function (el) { controls.appendChild(el); });
    scroller.parentNode.insertBefore(controls, scroller);
    var info = controls.querySelector(".dt-info");
    if (info) info.setAttribute("aria-live", "polite");
    api.columns().every(function () {  // columns of running text (long cells on average): see .long-text
      var cells = this.nodes().toArray();
      var mean = cells.reduce(function (sum, td) { return sum + td.textContent.length; }, 0) / Math.max(cells.length, 1);
      if (mean > 30) cells.forEach(function (td) { td.classList.add("long-text"); });
    });
    // the verdict filter: one option per verdict found in the column whose cells carry a status-… class
    var column = -1, verdicts = [];
    api.columns().every(function (i) {
      // the verdict's class is the cell's own (helpers.tables.plain_html moves a lone span's attributes to its cell)
      var spans = this.nodes().toArray().map(function (td) { return td.matches('[class^="status-"]') ? td : td.querySelector('[class^="status-"]'); });
      if (column < 0 && spans.length && spans.every(Boolean)) {
        column = i;
        // in the audit's order (its status classes), whatever the edition's wording
        var order = ["status-reproduced", "status-within-rounding", "status-loose-wording", "status-inconsistent", "status-not-checkable"];
        var status = function (el) { return Array.prototype.filter.call(el.classList, function (c) { return c.indexOf("status-") === 0; })[0]; };
        spans.slice().sort(function (a, b) { return order.indexOf(status(a)) - order.indexOf(status(b)); })
          .forEach(function (s) { if (verdicts.indexOf(plain(s.textContent)) < 0) verdicts.push(plain(s.textContent)); });
      }
    });
    var select = null;
    if (column >= 0) {
      var id = "table-verdict-" + (index + 1);
      var wrap = document.createElement("div");
      wrap.innerHTML = '<label for="' + id + '"></label><select id="' + id + '"><option value=""></option></select>';
      wrap.querySelector("label").textContent = words.verdict;
      select = wrap.querySelector("select");
      select.options[0].textContent = words.all;
      verdicts.forEach(function (v) { var o = document.createElement("option"); o.value = o.textContent = v; select.appendChild(o); });
      select.addEventListener("change", function () {
        api.column(column).search(select.value ? "^" + escapeRegex(select.value) + "$" : "", true, false).draw();
      });
      controls.insertBefore(wrap, controls.children[1] || null);
    }
    function land() {
      var target = decodeURIComponent(location.hash.slice(1));
      // every row, also those a search took out of the page: DataTables keeps them in its own list
      var row = target ? api.rows().nodes().toArray().filter(function (tr) {
        return tr.querySelector('[id="' + CSS.escape(target) + '"]');
      })[0] : null;
      if (!row) return;
      if (api.rows({ search: "applied" }).nodes().toArray().indexOf(row) < 0) {  // hidden by a search: show every row
        if (select) select.value = "";
        var search = controls.querySelector("input");
        if (search) search.value = "";
        api.search("").columns().search("").draw();
      }
      Array.prototype.forEach.call(table.querySelectorAll("tr.claim-target"), function (r) { r.classList.remove("claim-target"); });
      row.classList.add("claim-target");
      row.scrollIntoView({ block: "center" });
    }
    window.addEventListener("hashchange", land);
    land();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.DataTable) return;
    document.querySelectorAll(".interactive").forEach(function (box, index) { interactive(box, index, window.DataTable); });
  });
})();
