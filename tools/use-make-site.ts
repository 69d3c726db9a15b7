// Quarto runs this before a render or preview of the repository itself (`project: pre-render` in _quarto.yml).
// The site has one owner: `make site` executes every chapter for each edition with papermill and renders each edition
// in a Quarto project of its own under _build/quarto/. A render here would publish the committed English outputs as
// both editions, so it stops before writing anything (its output-dir is a scratch folder under _build/).
console.error(
  "This book is built by `make site` (both editions, into _site/) and previewed by `make preview` " +
    "(EDITION=en or nb); `quarto render` and `quarto preview` at the repository root are not used — nothing was written.",
);
Deno.exit(1);
