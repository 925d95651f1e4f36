"""Understanding a `Reading`: the frames of a message (see `assistant.understanding.frames`)."""
from assistant.understanding.frames import Frames, FollowupEdit, Happened, Outcome, Promise, Question
from assistant.understanding.interpret import interpret

__all__ = ["Frames", "FollowupEdit", "Happened", "Outcome", "Promise", "Question", "interpret"]
