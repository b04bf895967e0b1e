"""Pure computation behind the visualisations: images, activations, filter patterns, Grad-CAM.

Functions here take models and arrays and return arrays; the widgets in
``dlwp_widgets.widgets`` only wire controls to them.  Modules import Keras and
TensorFlow inside functions, so importing this package stays cheap.
"""
