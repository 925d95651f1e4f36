"""Understanding a `Reading`: the frames of a message (see `assistant.understanding.frames`)."""

from assistant.understanding.frames import FollowupEdit, Frames, Happened, Outcome, Promise, Question
from assistant.understanding.interpret import interpret

__all__ = ["FollowupEdit", "Frames", "Happened", "Outcome", "Promise", "Question", "interpret"]
