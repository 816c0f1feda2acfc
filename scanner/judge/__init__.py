"""An optional judge: a language model the user runs (any OpenAI-compatible chat endpoint) reads a sample of a
finding's records and says what a model finetuned on them would learn beyond the task. Off unless configured;
never contacted otherwise. See docs/judge.md."""

from .settings import JudgeSettings
from .apply import judge_findings

__all__ = ["JudgeSettings", "judge_findings"]
