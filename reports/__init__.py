"""The ReportLab documents: minutes, vote-count minutes, ballot paper.

Every document takes plain data (``review.meetingfile.MeetingFile`` and the rules core's
results), never ORM objects, and passes all user text through :func:`markup.para_text`.
"""
