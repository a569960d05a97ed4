"""Demo users, one per role (and two reps so visibility can be shown)."""

from .models import Role, User
from .services import user_create

DEMO_PASSWORD = "mgtrade-demo"
DEMO_USERS = [
    # username, role, first, last, title, email
    ("admin", Role.ADMIN, "Ada", "Min", "System administrator", "admin@mgtrade.example"),
    (
        "manager",
        Role.SALES_MANAGER,
        "Zhang",
        "Min",
        "Export sales manager",
        "manager@mgtrade.example",
    ),
    ("qc", Role.QC, "Hu", "Jing", "Quality control", "qc@mgtrade.example"),
    ("rep", Role.SALES_REP, "Li", "Wei", "Export sales, Europe", "li.wei@mgtrade.example"),
    (
        "rep2",
        Role.SALES_REP,
        "Chen",
        "Yu",
        "Export sales, Americas & Asia",
        "chen.yu@mgtrade.example",
    ),
]


def load() -> dict[str, User]:
    users = {}
    for username, role, first, last, title, email in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                email=email,
                first_name=first,
                last_name=last,
                title=title,
            )
        users[username] = user
    return users
