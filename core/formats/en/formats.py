# English pages write dates, times and amounts the clinic's way too (dd-mm-yyyy, 08.30).
from core.formats.id.formats import *  # noqa: F403
