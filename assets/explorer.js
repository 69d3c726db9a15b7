// The sensitivity explorers (helpers.sensitivity): a slider per assumption over points computed when the notebook
// ran, embedded in the page as JSON. Moving a slider shows the chapter's numbers at that point and redraws a light bar
// chart of them as inline SVG. No library and no request: the page works opened from disk. Every text comes from the
// JSON and is set as textContent, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  // each bar under its label, in a drawing 400 units wide: its text stays legible when a phone shrinks it
  var ROW = 46, WIDTH = 400, VALUE = 60;

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
        var y = row * ROW + 2, label = data.numbers[i].label;
        var length = most > 0 ? (WIDTH - VALUE) * point.values[i] / most : 0;
        svg.appendChild(make("text", { x: 0, y: y + 15, "class": "explorer-label" },
                             label.length > 44 ? label.slice(0, 43) + "…" : label));
        svg.appendChild(make("rect", { x: 0, y: y + 21, width: Math.max(length, 1), height: 18, "class": "explorer-bar" }));
        svg.appendChild(make("text", { x: length + 6, y: y + 36, "class": "explorer-value" }, point.texts[i]));
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
