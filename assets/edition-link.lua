-- A link at the top of every page to the same page in the other edition of the book.
-- Each edition's profile sets `edition-link: {prefix, label, lang}`: the path from this edition's root to the other's.
local function relative_output(input, project_dir)
  local rel = input:sub(#project_dir + 2)
  return (rel:gsub("%.[^./]+$", ".html"))
end

function Pandoc(doc)
  local link = doc.meta["edition-link"]
  if link == nil or quarto.project.directory == nil then
    return doc
  end
  local target = pandoc.utils.stringify(link.prefix) .. relative_output(quarto.doc.input_file, quarto.project.directory)
  local offset = quarto.project.offset or "."
  local href = (offset == "." and "" or offset .. "/") .. target
  local lang = pandoc.utils.stringify(link.lang)
  local anchor = pandoc.Link(pandoc.utils.stringify(link.label), href, "", {hreflang = lang, lang = lang})
  table.insert(doc.blocks, 1, pandoc.Div(pandoc.Plain({anchor}), {class = "edition-link"}))
  return doc
end
