// Quarto runs this before a render or preview of the repository itself (`project: pre-render` in _quarto.yml).
// The site has one owner: `make site` executes every chapter for each edition with papermill and renders each edition
// in a Quarto project of its own under _build/quarto/ (where this guard is left out). A render here would publish the
// committed English outputs as both editions, so it stops before writing a page; what Quarto empties before running
// this is the scratch output-dir under _build/, never the published _site/.
console.error(
  "This book is built by `make site` (both editions, into _site/) and previewed by `make preview` (EDITION=en or " +
    "nb); `quarto render` and `quarto preview` at the repository root stop here, before writing anything: _site/ is " +
    "left as it was.",
);
Deno.exit(1);
