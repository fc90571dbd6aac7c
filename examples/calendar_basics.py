"""Working days and office time on the Vietnamese civil-service calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

from dossierflow.calendar import vietnam

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

cal = vietnam()

# A dossier received on Friday 13 February 2026, just before the Tết holiday.
received = dt.datetime(2026, 2, 13, 15, 30, tzinfo=TZ)
print("received", received, "counts from", cal.working_date(received))
print("3 working days later:", cal.add_working_days(cal.working_date(received), 3))
print("24 office hours later:", cal.add_working_time(received, dt.timedelta(hours=24)))

for day in (dt.date(2026, 2, 16), dt.date(2026, 1, 10), dt.date(2027, 2, 8)):
    status = cal.describe(day)
    print(day, status.kind, "-", status.reason, "(estimated)" if status.estimated else "")
