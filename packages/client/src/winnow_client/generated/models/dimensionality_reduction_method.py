from enum import StrEnum

class DimensionalityReductionMethod(StrEnum):
    PCA = "PCA"
    TSNE = "TSNE"
    UMAP = "UMAP"

    def __str__(self) -> str:
        return str(self.value)
