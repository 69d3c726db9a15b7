-- A link at the top of every page to the same page in the other edition of the book.
-- Each edition's profile sets `edition-link: {up, into, label, lang}`: from this edition's root, go `up` folders and
-- then `into` a folder to reach the other edition's root. (Not one path string: Quarto rewrites metadata values that
-- look like existing paths, such as "../", relative to each page.)
local function relative_output(input, project_dir)
  local rel = input:sub(#project_dir + 2)
  return (rel:gsub("%.[^./]+$", ".html"))
end

function Pandoc(doc)
  local link = doc.meta["edition-link"]
  if link == nil or quarto.project.directory == nil then
    return doc
  end
  local into = link.into and pandoc.utils.stringify(link.into) or ""
  local prefix = string.rep("../", tonumber(pandoc.utils.stringify(link.up or "0")) or 0)
    .. (into ~= "" and into .. "/" or "")
  local target = prefix .. relative_output(quarto.doc.input_file, quarto.project.directory)
  -- the offset from this page to its book's root: "." at the root, "..", "../.." below it (with or without a slash)
  local offset = (quarto.project.offset or "."):gsub("/+$", "")
  local href = ((offset == "." or offset == "") and "" or offset .. "/") .. target
  local lang = pandoc.utils.stringify(link.lang)
  -- attributes as an ordered list: a Lua table's order differs from run to run, and so would the page's bytes
  local attributes = pandoc.Attr("", {}, {{"hreflang", lang}, {"lang", lang}})
  local anchor = pandoc.Link(pandoc.utils.stringify(link.label), href, "", attributes)
  table.insert(doc.blocks, 1, pandoc.Div(pandoc.Plain({anchor}), {class = "edition-link"}))
  return doc
end
