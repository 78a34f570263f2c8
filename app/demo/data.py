"""What the demo data is made of: the company, its technicians, Portuguese customers, subjects.

These are data, not interface text: names, addresses and subjects are Portuguese as a Portuguese
support desk would type them, and are never translated. Identifiers are generated valid: NIFs
with their check digit (``stdnum.pt.nif``), phone numbers in the Portuguese mobile (91, 92, 93,
96) and Lisbon/Porto landline (21, 22) ranges, an IBAN with its check digits.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.pt import nif as pt_nif

from app.domain.sla import Plan

#: The random generators are seeded: the same "now" gives the same demo.
SEED = 20_251_126

# --- the company ----------------------------------------------------------------------------------

COMPANY_NAME = "WebPlug, Lda."
COMPANY_NIF = "516782347"  # 51678234 + its check digit 7
COMPANY_ADDRESS = "Avenida da República, 52, 3.º Esq."
COMPANY_POSTCODE = "1050-196"
COMPANY_CITY = "Lisboa"
COMPANY_EMAIL = "suporte@webplug.pt"
COMPANY_PHONE = "+351 213 456 780"
#: A Portuguese IBAN: bank 0035, branch 0697, account 00012345678, NIB check 41; IBAN check 50.
COMPANY_IBAN = "PT50003506970001234567841"
COMPANY_VAT = Decimal("0.23")
RATE_INSIDE = Decimal("45.00")
RATE_OUTSIDE = Decimal("60.00")
COMPANY_DISTRICT = "Lisboa"
COMPANY_LEGAL_MENTION = (
    "WebPlug, Lda. — Capital social 10 000 € — Matriculada na Conservatória do Registo "
    "Comercial de Lisboa sob o NIPC 516 782 347."
)

#: The small demo's team; the first is the administrator.
TECHNICIANS = ("Ana Ribeiro", "Rui Marques", "Tiago Lopes", "Sofia Carvalho")

# --- identifiers ----------------------------------------------------------------------------------


def nif_from_digits(first_eight: str) -> str:
    """A valid NIF: eight digits and the check digit ``stdnum`` computes for them."""
    return first_eight + pt_nif.calc_check_digit(first_eight)


class NifMaker:
    """Random valid NIFs, never twice: 1 or 2 for people, 5 for companies and associations."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = {COMPANY_NIF}

    def make(self, company: bool) -> str:
        while True:
            first = "5" if company else self._rng.choice("12")
            number = nif_from_digits(first + f"{self._rng.randrange(10**7):07d}")
            if number not in self._used:
                self._used.add(number)
                return number


def mobile_number(rng: random.Random) -> str:
    """A Portuguese mobile number as people write it: ``912 345 678``."""
    digits = rng.choice("1236") + f"{rng.randrange(10**7):07d}"
    return f"9{digits[0]}{digits[1]} {digits[2:5]} {digits[5:]}"


def landline_number(rng: random.Random, area: str) -> str:
    """A Lisbon (``21``) or Porto (``22``) landline: ``213 456 789``."""
    digits = f"{rng.randrange(10**7):07d}"
    return f"{area}{digits[0]} {digits[1:4]} {digits[4:]}"


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits only, for email addresses and domains."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain.lower() if char.isalnum())


# --- the small demo's customers -------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSpec:
    """One customer of the small demo; ``key`` names it in the scenario."""

    key: str
    name: str
    company: bool
    plan: Plan
    address: str
    postcode: str
    city: str
    #: The company's domain (emails ``geral@`` and ``informatica@``) or a person's address.
    email: str
    #: "21" or "22": the customer also has a landline in that area.
    landline: str | None = None
    notes: str = ""
    #: The plan before ``change_plan`` in the scenario (P19 keeps it on earlier contacts).
    initial_plan: Plan | None = None
    anydesk: str = ""
    extra_emails: tuple[str, ...] = field(default_factory=tuple)


CUSTOMERS: tuple[CustomerSpec, ...] = (
    CustomerSpec(
        "farmacia", "Farmácia Central, Lda.", True, Plan.PRIORITY_24_7,
        "Rua Augusta, 142", "1100-053", "Lisboa", "farmaciacentral-lisboa.pt", "21",
        "Receituário eletrónico e faturação; servidor no armazém das traseiras.",
        anydesk="482 913 650",
    ),
    CustomerSpec(
        "clinica", "Clínica Dentária Sorriso, Lda.", True, Plan.PRIORITY,
        "Rua de Santa Catarina, 315, 2.º", "4000-443", "Porto", "clinicasorriso.pt", "22",
        "Contrato próprio: resposta em 2 horas úteis, 2 h de compensação, 40 €/h.",
        anydesk="731 208 455",
    ),
    CustomerSpec(
        "hotel", "Hotel Miradouro do Tejo, S.A.", True, Plan.PRIORITY_24_7,
        "Calçada do Combro, 88", "1200-115", "Lisboa", "hotelmiradourotejo.pt", "21",
        "Receção aberta 24 horas; servidor de reservas e Wi-Fi dos hóspedes.",
        anydesk="915 377 204",
    ),
    CustomerSpec(
        "transportes", "Transportes Rápidos do Norte, Lda.", True, Plan.PRIORITY_24_7,
        "Zona Industrial da Maia I, Rua D, Lote 12", "4470-436", "Maia", "trnorte.pt", "22",
        "Frota com localização GPS; o armazém trabalha por turnos.",
    ),
    CustomerSpec(
        "contabilidade", "Contabilidade Rocha & Filhos, Lda.", True, Plan.PRIORITY,
        "Avenida Luísa Todi, 210", "2900-458", "Setúbal", "rochaefilhos.pt", None,
        "Picos de trabalho em abril, maio e julho (IRS e IES).",
    ),
    CustomerSpec(
        "padaria", "Padaria Pão Quente, Unipessoal Lda.", True, Plan.STANDARD,
        "Rua Elias Garcia, 27 A", "2700-322", "Amadora", "paoquente.pt", "21",
        "Terminal de pagamento e programa de faturação na loja.",
    ),
    CustomerSpec(
        "construcoes", "Construções Vieira & Santos, Lda.", True, Plan.STANDARD,
        "Rua do Raio, 56", "4710-923", "Braga", "vieiraesantos.pt", None,
        "Pack de 20 horas comprado há quase um ano.",
    ),
    CustomerSpec(
        "escola", "Escola de Condução Avenida, Lda.", True, Plan.STANDARD,
        "Avenida Fernão de Magalhães, 402", "3000-177", "Coimbra", "escolaavenida.pt",
    ),
    CustomerSpec(
        "restaurante", "Restaurante O Pescador, Lda.", True, Plan.STANDARD,
        "Avenida Marginal, 7", "2750-427", "Cascais", "opescador-cascais.pt", "21",
        "POS na sala e impressora de pedidos na cozinha.",
    ),
    CustomerSpec(
        "otica", "Ótica Visão Clara, Lda.", True, Plan.PRIORITY,
        "Rua Capitão Leitão, 45", "2800-133", "Almada", "visaoclara.pt", "21",
    ),
    CustomerSpec(
        "imobiliaria", "Imobiliária Casa Nova, Lda.", True, Plan.STANDARD,
        "Rua Cândido dos Reis, 19", "2780-211", "Oeiras", "casanova-imo.pt", "21",
    ),
    CustomerSpec(
        "associacao", "Associação Cultural e Recreativa de Alvalade", True, Plan.NONE,
        "Rua Conde de Arnoso, 5", "1700-112", "Lisboa", "acralvalade.pt", "21",
        "Computadores da secretaria e da biblioteca.",
    ),
    CustomerSpec(
        "papelaria", "Papelaria Estrela, Lda.", True, Plan.NONE,
        "Rua Dr. Alfredo Costa, 33", "2710-523", "Sintra", "papelariaestrela.pt", "21",
        "A loja fechou: cliente arquivado.",
    ),
    CustomerSpec(
        "arquitetura", "Linha Reta — Gabinete de Arquitetura, Lda.", True, Plan.PRIORITY,
        "Rua do Alecrim, 61", "1200-016", "Lisboa", "linhareta-arq.pt", "21",
        "Estações CAD e NAS com cópias de segurança noturnas.",
        anydesk="604 118 392",
    ),
    CustomerSpec(
        "viagens", "Agência de Viagens Horizonte, Lda.", True, Plan.STANDARD,
        "Rua de Santo António, 98", "8000-283", "Faro", "horizonte-viagens.pt",
    ),
    CustomerSpec(
        "lavandaria", "Lavandaria Bolha, Unipessoal Lda.", True, Plan.NONE,
        "Rua Guilherme Gomes Fernandes, 12", "2675-372", "Odivelas", "lavandariabolha.pt",
    ),
    CustomerSpec(
        "quinta", "Quinta do Vale Verde — Sociedade Agrícola, Lda.", True, Plan.STANDARD,
        "Estrada Nacional 114, km 12", "2000-471", "Santarém", "quintavaleverde.pt",
    ),
    CustomerSpec(
        "maria", "Maria João Ferreira", False, Plan.STANDARD,
        "Rua Marquês de Fronteira, 118, 4.º Dto.", "1070-299", "Lisboa",
        "mjferreira.advogada@gmail.com", "21", "Advogada; escritório em casa.",
    ),
    CustomerSpec(
        "antonio", "António Manuel Costa", False, Plan.NONE,
        "Rua da República, 14", "2670-471", "Loures", "antonio.m.costa@sapo.pt",
    ),
    CustomerSpec(
        "anarita", "Ana Rita Sousa", False, Plan.PRIORITY,
        "Rua de Cedofeita, 220, 1.º", "4050-174", "Porto", "anarita.sousa.psi@gmail.com", None,
        "Psicóloga; consultas por videochamada.",
    ),
    CustomerSpec(
        "jose", "José Carlos Pereira", False, Plan.NONE,
        "Rua de Santo António, 71", "4800-162", "Guimarães", "jcpereira@outlook.pt",
    ),
    CustomerSpec(
        "catarina", "Catarina Alves Martins", False, Plan.STANDARD,
        "Avenida Heróis de Angola, 88, 3.º", "2400-153", "Leiria",
        "catarina.martins.solicitadora@gmail.com", None, "Solicitadora.",
        initial_plan=Plan.NONE,
    ),
    CustomerSpec(
        "ruipedro", "Rui Pedro Gonçalves", False, Plan.STANDARD,
        "Rua Direita, 45", "3810-073", "Aveiro", "rp.goncalves.cc@gmail.com", None,
        "Contabilista certificado.",
    ),
    CustomerSpec(
        "helena", "Helena Marques Pinto", False, Plan.NONE,
        "Rua Miguel Bombarda, 9", "2830-355", "Barreiro", "helena.mpinto@sapo.pt",
    ),
    CustomerSpec(
        "luis", "Luís Filipe Rodrigues", False, Plan.PRIORITY,
        "Rua Formosa, 150", "3500-135", "Viseu", "consultorio.lfrodrigues@gmail.com", None,
        "Médico; consultório privado.",
    ),
)  # fmt: skip

# --- what customers ask for -----------------------------------------------------------------------

SUBJECTS = (
    "Impressora da receção não imprime",
    "Não consigo aceder ao email no telemóvel",
    "Computador muito lento desde a última atualização",
    "Instalar o Office num portátil novo",
    "Erro ao emitir faturas no programa de faturação",
    "Wi-Fi dos clientes sem acesso à Internet",
    "A cópia de segurança falhou esta noite",
    "Recuperar um ficheiro apagado da pasta partilhada",
    "Configurar a VPN para teletrabalho",
    "Atualização do Windows parada nos 30 %",
    "Aparecem janelas de publicidade no navegador",
    "Criar conta de email para uma nova colaboradora",
    "O terminal de pagamento não comunica",
    "Trocar o router da operadora",
    "O NAS não aparece na rede",
    "Certificado digital expirado no Portal das Finanças",
    "Telefone VoIP sem sinal",
    "O scanner não envia para o email",
    "Renovação do domínio e do alojamento",
    "O Outlook pede a palavra-passe a toda a hora",
    "Passar os dados para o computador novo",
    "Câmara de videovigilância desligada",
    "Configurar a assinatura de email",
    "Erro de licença no programa de contabilidade",
    "Ecrã azul ao arrancar",
    "Pedido de orçamento para um servidor novo",
    "Instalar a impressora de etiquetas no armazém",
    "O calendário partilhado não sincroniza",
    "Teams sem som nas reuniões",
    "Bloquear os acessos de um ex-colaborador",
)

# --- names for the benchmark's ten thousand customers ---------------------------------------------

FIRST_NAMES = (
    "Maria", "Ana", "Joana", "Catarina", "Inês", "Sofia", "Beatriz", "Mariana", "Rita", "Sara",
    "Helena", "Teresa", "Paula", "Carla", "Marta", "Filipa", "Cláudia", "Patrícia", "Sónia",
    "Lúcia",
    "José", "João", "António", "Manuel", "Francisco", "Pedro", "Rui", "Luís", "Carlos", "Miguel",
    "Tiago", "Nuno", "Paulo", "Jorge", "Ricardo", "Bruno", "André", "Diogo", "Hugo", "Vítor",
)  # fmt: skip
SURNAMES = (
    "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
    "Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida",
    "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares",
    "Vieira", "Monteiro", "Cardoso", "Rocha", "Neves", "Coelho", "Cruz", "Cunha", "Pires",
    "Ramos", "Reis", "Simões", "Antunes", "Matos",
)  # fmt: skip
BUSINESSES = (
    "Farmácia", "Clínica", "Padaria", "Pastelaria", "Restaurante", "Oficina Auto", "Construções",
    "Contabilidade", "Papelaria", "Ótica", "Imobiliária", "Transportes", "Hotel",
    "Escola de Condução",
    "Lavandaria", "Talho", "Mercearia", "Cabeleireiro", "Ginásio", "Agência de Viagens",
    "Gabinete de Arquitetura", "Sociedade de Advogados", "Clínica Veterinária", "Florista",
    "Livraria", "Serralharia", "Carpintaria", "Eletrodomésticos", "Seguros", "Consultório",
)  # fmt: skip
BUSINESS_NAMES = (
    "Central", "Avenida", "do Bairro", "Estrela", "Atlântico", "São João", "Sol Nascente",
    "Boa Vista", "Nova Era", "Ribeirinha", "do Castelo", "Primavera", "Horizonte", "do Largo",
    "Flor de Liz", "Oceano", "Alvorada", "da Praça", "Moderna", "Europa",
)  # fmt: skip
COMPANY_FORMS = (", Lda.", ", Lda.", ", Lda.", ", Unipessoal Lda.", ", S.A.")
STREETS = (
    "Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua Direita",
    "Avenida da República", "Rua do Comércio", "Largo do Município", "Rua 25 de Abril",
    "Avenida Central", "Rua da Igreja", "Rua Dr. Manuel de Arriaga", "Travessa do Carmo",
    "Rua Heróis do Ultramar", "Avenida dos Combatentes", "Rua da Fonte", "Rua Cândido dos Reis",
)  # fmt: skip
#: City, the first four digits of its postcodes, and its landline area when it has 21 or 22.
CITIES: tuple[tuple[str, str, str | None], ...] = (
    ("Lisboa", "1000", "21"), ("Lisboa", "1100", "21"), ("Lisboa", "1600", "21"),
    ("Porto", "4000", "22"), ("Porto", "4100", "22"), ("Amadora", "2700", "21"),
    ("Almada", "2800", "21"), ("Oeiras", "2780", "21"), ("Cascais", "2750", "21"),
    ("Sintra", "2710", "21"), ("Matosinhos", "4450", "22"), ("Vila Nova de Gaia", "4400", "22"),
    ("Maia", "4470", "22"), ("Braga", "4700", None), ("Coimbra", "3000", None),
    ("Aveiro", "3800", None), ("Leiria", "2400", None), ("Setúbal", "2900", None),
    ("Faro", "8000", None), ("Viseu", "3500", None), ("Évora", "7000", None),
    ("Guimarães", "4800", None), ("Santarém", "2000", None)
)  # fmt: skip
