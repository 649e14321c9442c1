(function () {
  "use strict";
  function text(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }
  var numeric = /^-?\d+(\.\d+)?$/;
  function compare(a, b) {
    if (numeric.test(a) && numeric.test(b)) { return parseFloat(a) - parseFloat(b); }
    return a.localeCompare(b);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    var body = table.tBodies[0];
    if (!body || !table.tHead) { return; }
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "filter";
    filter.placeholder = "Filter these rows";
    filter.setAttribute("aria-label", "Filter table rows");
    filter.addEventListener("input", function () {
      var query = filter.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
      });
    });
    table.parentNode.insertBefore(filter, table);
    var headers = table.tHead.rows[0].cells;
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
          var order = compare(text(a, index), text(b, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
  document.documentElement.setAttribute("data-report-script", "ready");
})();
