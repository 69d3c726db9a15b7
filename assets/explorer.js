// The sensitivity explorers (helpers.sensitivity): a slider per assumption over points computed when the notebook
// ran, embedded in the page as JSON. Moving a slider shows the chapter's numbers at that point and redraws a light bar
// chart of them as inline SVG. No library and no request: the page works opened from disk. Every text comes from the
// JSON and is set as textContent, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var ROW = 30, LABEL = 250, WIDTH = 600, VALUE = 70;

  function make(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setUp(box) {
    if (box.getAttribute("data-ready")) return;  // the script may be included by more than one block of a page
    box.setAttribute("data-ready", "1");
    var data = JSON.parse(box.querySelector("script.explorer-data").textContent);
    var input = box.querySelector("input[type=range]");
    var output = box.querySelector("output");
    var cells = box.querySelectorAll("dd");
    var svg = box.querySelector("svg.explorer-bars");
    var bars = [];
    data.numbers.forEach(function (n, i) { if (n.bar) bars.push(i); });
    // one scale for every point, so a bar's change in length is the number's change
    var most = 0;
    data.points.forEach(function (p) { bars.forEach(function (i) { most = Math.max(most, p.values[i]); }); });
    var height = bars.length * ROW + 4;
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + height);
    svg.setAttribute("preserveAspectRatio", "xMinYMin meet");

    function show(index) {
      var point = data.points[index];
      output.textContent = point.at + (index === data.published ? " (" + data.published_word + ")" : "");
      input.setAttribute("aria-valuetext", output.textContent);
      for (var i = 0; i < cells.length; i += 1) cells[i].textContent = point.texts[i];
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      bars.forEach(function (i, row) {
        var y = row * ROW + 2;
        var length = most > 0 ? (WIDTH - LABEL - VALUE) * point.values[i] / most : 0;
        svg.appendChild(make("text", { x: LABEL - 8, y: y + ROW / 2 + 5, "text-anchor": "end", "class": "explorer-label" },
                             data.numbers[i].label.length > 34 ? data.numbers[i].label.slice(0, 33) + "…" : data.numbers[i].label));
        svg.appendChild(make("rect", { x: LABEL, y: y + 4, width: Math.max(length, 1), height: ROW - 10, "class": "explorer-bar" }));
        svg.appendChild(make("text", { x: LABEL + length + 6, y: y + ROW / 2 + 5, "class": "explorer-value" }, point.texts[i]));
      });
      svg.removeAttribute("hidden");
    }

    input.addEventListener("input", function () { show(parseInt(input.value, 10)); });
    show(parseInt(input.value, 10));
  }

  function start() { Array.prototype.forEach.call(document.querySelectorAll(".explorer-axis"), setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
