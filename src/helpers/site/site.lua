-- Pandoc filter for the fallback renderer: make executed notebooks read like Quarto renders them.
-- * code inputs are hidden (the notebook itself is linked from every page); stderr streams are dropped
-- * `fig-alt` on an image becomes its alt text (pandoc would otherwise repeat the caption)
-- * `#| ` cell options are never shown

local function is_stderr(div)
  return div.classes:includes("stderr")
end

function Div(div)
  if div.classes:includes("output") and div.classes:includes("stream") and is_stderr(div) then
    return {}
  end
  if div.classes:includes("cell") and div.classes:includes("code") then
    local kept = {}
    for _, block in ipairs(div.content) do
      if block.t ~= "CodeBlock" then
        table.insert(kept, block)
      end
    end
    div.content = kept
    return div
  end
end

function Image(img)
  local alt = img.attributes["fig-alt"]
  if alt then
    img.caption = {pandoc.Str(alt)}
    img.attributes["fig-alt"] = nil
    return img
  end
end

function Figure(fig)
  -- pandoc copies the image's attributes onto the figure; keep the id on the figure only
  return pandoc.walk_block(fig, {Image = Image})
end

function Link(link)
  -- a link to another chapter's notebook *at an anchor* means that chapter's page (Quarto does the same for
  -- project inputs); a bare notebook link stays a download of the notebook
  local target, anchor = link.target:match("^([%w%-_]+)%.ipynb(#.+)$")
  if target then
    link.target = target .. ".html" .. anchor
    return link
  end
end
