// 意见与答案: selecting words in a text fills that text's "mask" field, so staff mask a
// name by selecting it. Without JavaScript the field is typed in by hand.
document.addEventListener("mouseup", function () {
  var selection = window.getSelection();
  if (!selection || selection.isCollapsed) { return; }
  var node = selection.anchorNode && selection.anchorNode.parentElement;
  var body = node && node.closest(".text-body");
  if (!body) { return; }
  var item = body.closest(".text-item");
  var field = item && item.querySelector(".mask-form input[name=fragment]");
  if (!field) { return; }
  field.value = selection.toString().trim().slice(0, 100);
  var details = item.querySelector("details.text-actions");
  if (details) { details.open = true; }
});
