(function () {
  "use strict";
  // The sort key of a cell: its data-sort (bytes, seconds, ISO time) or its text.
  function key(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var given = cell.getAttribute("data-sort");
    return given !== null ? given : cell.textContent.trim();
  }
  var numeric = /^-?[\d,]*\.?\d+$/;
  function compare(a, b) {
    if (numeric.test(a) && numeric.test(b)) {
      return parseFloat(a.replace(/,/g, "")) - parseFloat(b.replace(/,/g, ""));
    }
    if (a === "" || b === "") { return a === "" ? (b === "" ? 0 : 1) : -1; }
    return a.localeCompare(b);
  }
  function plural(count, noun) { return count + " " + noun + (count === 1 ? "" : "s"); }
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    var body = table.tBodies[0];
    if (!body || !table.tHead) { return; }
    var headers = table.tHead.rows[0].cells;
    var labels = Array.prototype.map.call(headers, function (header) { return header.textContent.trim(); });
    Array.prototype.forEach.call(body.rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        cell.setAttribute("data-label", labels[index] || "");
      });
    });
    table.classList.add("cards");
    var bar = document.createElement("div");
    bar.className = "filter-bar";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "filter";
    filter.placeholder = "Filter these rows";
    filter.setAttribute("aria-label", "Filter table rows");
    var count = document.createElement("span");
    count.className = "filter-count muted";
    count.setAttribute("aria-live", "polite");
    var total = body.rows.length;
    var printed = body.querySelectorAll("tr:not(.np)").length;  // rows a printout keeps
    count.textContent = plural(total, "row");
    filter.addEventListener("input", function () {
      var query = filter.value.toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
        if (!row.hidden) { shown += 1; }
      });
      count.textContent = query === "" ? plural(total, "row") : shown + " of " + plural(total, "row") + " match";
    });
    bar.appendChild(filter);
    bar.appendChild(count);
    var anchor = table.parentNode.classList.contains("scroll") ? table.parentNode : table;
    anchor.parentNode.insertBefore(bar, anchor);
    Array.prototype.forEach.call(headers, function (header, index) {
      header.classList.add("sortable");
      header.tabIndex = 0;
      header.title = "Sort by this column";
      function sort() {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = compare(key(a, index), key(b, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row, position) {
          body.appendChild(row);
          if (printed < total) { row.classList.toggle("np", position >= printed); }
        });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
  document.documentElement.setAttribute("data-report-script", "ready");
})();
