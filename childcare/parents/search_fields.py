"""Form fields written without crispy-forms and Django's widget templates.

Rendering fifteen fields through crispy-forms and the widget templates took two thirds of the
search page's time in the demo town (every checkbox of a group is a template of its own, and
the page is the portal's most visited); the staff waitlist's two forms cost as much as its fifty
rows. Their widgets are few and plain, so this module reads what each needs (type, value,
limits, required, choices, errors) and writes the markup crispy-forms' Bootstrap 5 pack wrote,
with the same ids, labels and ARIA attributes, in Python. Every value goes through
``format_html``'s escaping. ``{{ fields.NAME }}`` in a template writes one.
"""

from dataclasses import dataclass

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool
    id: str


@dataclass(frozen=True)
class SearchField:
    kind: str  # "input", "checkbox", "select" or "checkboxes"
    name: str
    id: str
    label: str
    input_type: str
    value: str
    checked: bool
    attrs: dict
    help_text: str
    errors: list
    choices: tuple[Choice, ...]
    required: bool = False  # the label gets crispy-forms' asterisk
    required_attribute: bool = False  # the control gets ``required`` (as Django's widget would)

    @property
    def described_by(self) -> str:
        return " ".join(
            part
            for part, present in ((f"{self.id}_helptext", self.help_text), (f"{self.id}_error", self.errors))
            if present
        )

    def __html__(self) -> SafeString:
        return getattr(self, f"_{self.kind}")()

    __str__ = __html__

    def _invalid(self) -> str:
        return " is-invalid" if self.errors else ""

    def _aria(self, *, described: bool = True) -> SafeString:
        invalid = ' aria-invalid="true"' if self.errors else ""
        if described and self.described_by:
            return format_html('{} aria-describedby="{}"', mark_safe(invalid), self.described_by)  # noqa: S308
        return mark_safe(invalid)  # noqa: S308  (a constant)

    def _feedback(self) -> SafeString:
        if not self.errors:
            return mark_safe("")  # noqa: S308  (a constant)
        return format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            self.id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, self.id, error) for number, error in enumerate(self.errors, start=1)),
            ),
        )

    def _help(self) -> SafeString:
        if not self.help_text:
            return mark_safe("")  # noqa: S308  (a constant)
        # As Django's and crispy-forms' templates do, help text is the developer's markup, not escaped.
        help_text = mark_safe(self.help_text)  # noqa: S308
        return format_html('<div id="{}_helptext" class="form-text">{}</div>', self.id, help_text)

    def _required(self) -> str:
        return " required" if self.required_attribute else ""

    def _labelled(self, control: SafeString) -> SafeString:
        if self.required:
            label = format_html(
                '<label for="{}" class="form-label requiredField">{}'
                '<span class="asteriskField">*</span></label>',
                self.id,
                self.label,
            )
        else:
            label = format_html('<label for="{}" class="form-label">{}</label>', self.id, self.label)
        return format_html(
            '<div id="div_{}" class="mb-3">\n{}\n{}\n{}{}</div>',
            self.id,
            label,
            control,
            self._feedback(),
            self._help(),
        )

    def _input(self) -> SafeString:
        value = format_html(' value="{}"', self.value) if self.value else ""
        limits = format_html_join("", ' {}="{}"', self.attrs.items())
        return self._labelled(
            format_html(
                '<input type="{}" name="{}"{}{} class="form-control{}"{}{} id="{}">',
                self.input_type,
                self.name,
                value,
                limits,
                self._invalid(),
                self._required(),
                self._aria(),
                self.id,
            )
        )

    def _select(self) -> SafeString:
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((c.value, " selected" if c.selected else "", c.label) for c in self.choices),
        )
        return self._labelled(
            format_html(
                '<select name="{}" class="form-select{}"{}{} id="{}">{}</select>',
                self.name,
                self._invalid(),
                self._required(),
                self._aria(),
                self.id,
                options,
            )
        )

    def _checkbox(self) -> SafeString:
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">\n'
            '<input type="checkbox" name="{}" class="form-check-input{}" id="{}"{}{}>\n'
            '<label for="{}" class="form-check-label">{}</label>{}</div></div>',
            self.id,
            self.name,
            self._invalid(),
            self.id,
            " checked" if self.checked else "",
            self._aria(),
            self.id,
            self.label,
            self._feedback(),
        )

    def _checkboxes(self) -> SafeString:
        boxes = format_html_join(
            "\n",
            '<div class="form-check"><input type="checkbox" class="form-check-input{}" name="{}" value="{}"'
            ' id="{}"{}{}><label for="{}" class="form-check-label">{}</label></div>',
            (
                (
                    self._invalid(),
                    self.name,
                    c.value,
                    c.id,
                    " checked" if c.selected else "",
                    self._aria(described=False),
                    c.id,
                    c.label,
                )
                for c in self.choices
            ),
        )
        described = format_html(' aria-describedby="{}_error"', self.id) if self.errors else ""
        return format_html(
            '<div id="div_{}" class="mb-3"><fieldset{}>\n<legend class="form-label fs-6">{}</legend>\n'
            "<div>{}{}</div></fieldset></div>",
            self.id,
            described,
            self.label,
            boxes,
            self._feedback(),
        )


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


def _choices(bound: forms.BoundField, kind: str, value) -> tuple[Choice, ...]:
    if kind == "checkboxes":
        chosen = {str(item) for item in (value or [])}
    elif kind == "select":
        chosen = {"" if value is None else str(value)}
    else:
        return ()
    return tuple(
        Choice(
            value=str(choice), label=str(label), selected=str(choice) in chosen, id=f"{bound.auto_id}_{index}"
        )
        for index, (choice, label) in enumerate(bound.field.choices)
    )


def search_fields(form: forms.Form) -> dict[str, SearchField]:
    """Every field of ``form`` by name, with what the template needs to write its markup.

    Checkbox groups and single checkboxes never get ``required`` (none of the forms needs it).
    """
    prepared = {}
    for bound in form:
        widget = bound.field.widget
        kind = _kind(widget)
        value = bound.value()
        attrs = {
            key: item for key, item in widget.attrs.items() if key in ("min", "max", "maxlength", "step")
        }
        formatted = widget.format_value(value) if kind == "input" else None
        prepared[bound.name] = SearchField(
            kind=kind,
            name=bound.html_name,
            id=bound.auto_id,
            label=str(bound.label),
            input_type=getattr(widget, "input_type", ""),
            value="" if formatted is None else str(formatted),
            checked=kind == "checkbox" and widget.check_test(value),
            attrs=attrs,
            help_text=str(bound.help_text or ""),
            errors=list(bound.errors),
            choices=_choices(bound, kind, value),
            required=bound.field.required,
            required_attribute=kind in ("input", "select")
            and bool(bound.build_widget_attrs({}, widget).get("required")),
        )
    return prepared
