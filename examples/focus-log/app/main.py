"""A log of focus sessions kept in pyscript.storage, written for PyScript 2024.9.1.

Each session is a dict in a list, the total of minutes an int beside it; the log is
synced after each change, and survives a reload, a restart and an upgrade of PyScript.
Runs on both of PyScript's interpreters (type="py" and type="mpy").
"""

from pyscript import document, storage, when

log = await storage("focus-log")  # noqa: F704 - PyScript runs this module with top-level await
if "settings" not in log:  # the first run writes the defaults, as apps do
    log["settings"] = {"default_minutes": 25, "created_by": "focus-log 1.0"}
    await log.sync()  # noqa: F704
sessions = log.get("sessions", [])
document.querySelector("#minutes").value = str(log["settings"]["default_minutes"])


def render(message):
    listing = document.querySelector("#sessions")
    listing.innerHTML = ""
    for session in sessions:
        entry = document.createElement("li")
        entry.className = "list-group-item"
        entry.innerText = f"{session['label']}: {session['minutes']} min"
        listing.append(entry)
    document.querySelector("#status").innerText = message


async def save():
    log["sessions"] = sessions
    log["total"] = sum(session["minutes"] for session in sessions)
    await log.sync()
    render(f"{len(sessions)} sessions, {log['total']} min saved")


@when("click", "#log")
async def add(event):
    label = document.querySelector("#label").value.strip()
    minutes = int(document.querySelector("#minutes").value or 0)
    if label and minutes > 0:
        sessions.append({"label": label, "minutes": minutes})
        document.querySelector("#label").value = ""
        await save()


@when("click", "#reset")
async def reset(event):
    sessions.clear()
    log.clear()
    await log.sync()
    render("0 sessions saved")


render(f"{len(sessions)} sessions, {log.get('total', 0)} min loaded")
