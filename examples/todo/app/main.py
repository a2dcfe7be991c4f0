"""A todo list kept in pyscript.storage: it survives reloads, restarts and crashes once saved.

Runs on both of PyScript's interpreters (type="py" and type="mpy").
"""

from pyscript import document, storage, when

todos = await storage("todo")  # noqa: F704 - PyScript runs this module with top-level await
items = todos.get("items", [])


def render(message):
    listing = document.querySelector("#items")
    listing.innerHTML = ""
    for index, item in enumerate(items):
        entry = document.createElement("li")
        entry.className = "done" if item["done"] else ""
        box = document.createElement("input")
        box.type = "checkbox"
        box.checked = item["done"]
        box.id = f"item-{index}"
        box.setAttribute("data-index", str(index))
        label = document.createElement("span")
        label.innerText = item["text"]
        entry.append(box, label)
        listing.append(entry)
    document.querySelector("#status").innerText = message


async def save():
    todos["items"] = items  # a new value for the key: the list is written again
    await todos.sync()
    done = sum(1 for item in items if item["done"])
    render(f"{len(items)} items saved, {done} done")


@when("click", "#add")
async def add(event):
    field = document.querySelector("#new-item")
    text = field.value.strip()
    if text:
        items.append({"text": text, "done": False})
        field.value = ""
        await save()


@when("click", "#items")
async def toggle(event):
    if event.target.tagName == "INPUT":  # a checkbox, not the list around it
        item = items[int(event.target.getAttribute("data-index"))]
        item["done"] = not item["done"]
        await save()


@when("click", "#clear-done")
async def clear_done(event):
    global items
    items = [item for item in items if not item["done"]]
    await save()


render(f"{len(items)} items loaded")
