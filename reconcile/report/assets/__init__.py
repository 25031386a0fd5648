"""Package data of the HTML report: the jinja2 template, its stylesheet and its script."""
