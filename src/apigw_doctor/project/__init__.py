"""The project model: which functions of a SAM / CloudFormation / CDK / Serverless
project sit behind which API, with what configuration.

``load_project(paths)`` finds every template under the paths (each governing
its own folder; local nested stacks followed), reads it once, and returns a
:class:`Project`.  Every command stands on it.  What a template says that is
not understood becomes a :class:`Note`, never a silent omission.
"""

from .discover import TEMPLATE_NAMES, discover, find_template
from .files import TemplateError, read_document
from .load import load_project, load_template
from .model import Authorizer, Binding, Cors, Function, Note, Project, Resource, Trigger

__all__ = [
    "TEMPLATE_NAMES",
    "Authorizer",
    "Binding",
    "Cors",
    "Function",
    "Note",
    "Project",
    "Resource",
    "TemplateError",
    "Trigger",
    "discover",
    "find_template",
    "load_project",
    "load_template",
    "read_document",
]
