document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button) { return; }
  var holder = button.parentElement.nextElementSibling;
  if (!holder || holder.tagName !== "PRE") { holder = button.nextElementSibling; }
  var text = holder.textContent;
  var selectIt = function () {
    var range = document.createRange();
    range.selectNodeContents(holder);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; }, selectIt);
  } else {
    selectIt();
  }
});
