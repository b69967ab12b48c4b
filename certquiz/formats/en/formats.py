# One date format across the app, in the learner's time zone (accounts.middleware.TimeZoneMiddleware).
# Templates name these formats (`|date:"DATETIME_FORMAT"`) instead of spelling out their own.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M"
SHORT_DATETIME_FORMAT = "j M, H:i"
