__version__ = "0.0.1"
from . import incremental  # installs the incremental pass as NADE.logits and NADE.sample
