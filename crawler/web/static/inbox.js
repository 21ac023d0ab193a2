// The inbox's keys: j next story, k previous, o open it. A file, not inline script: the CSP forbids that.
"use strict";
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, select, textarea, button")) {
    return;
  }
  if (!["j", "k", "o"].includes(event.key)) {
    return;
  }
  const rows = Array.from(document.querySelectorAll("ol.stories > li.story"));
  if (rows.length === 0) {
    return;
  }
  let index = rows.findIndex((row) => row.classList.contains("current"));
  if (event.key === "o") {
    if (index >= 0) {
      rows[index].querySelector("a.headline").click();
    }
    return;
  }
  index = event.key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
  rows.forEach((row) => row.classList.remove("current"));
  rows[index].classList.add("current");
  rows[index].scrollIntoView({ block: "nearest" });
  event.preventDefault();
});
